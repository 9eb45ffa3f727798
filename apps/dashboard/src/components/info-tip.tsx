// An ⓘ button whose text shows in a popover on hover or focus (and in the native title).
import { useId } from 'preact/hooks';

export function InfoTip({ text, label }: { text: string; label: string }) {
  const id = useId();
  return (
    <span class="info-tip">
      <button
        type="button"
        class="info-button"
        data-testid="negative-reason-info"
        title={text}
        aria-label={label}
        aria-describedby={id}
      >
        ⓘ
      </button>
      <span role="tooltip" id={id} class="tooltip" data-testid="negative-reason-tooltip">
        {text}
      </span>
    </span>
  );
}
