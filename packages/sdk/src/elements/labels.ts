/**
 * The elements' own words (the CSAT copy comes from the widget's settings): the two thumb
 * labels and the name of the group, in the page's language, English when it has none.
 * Each entry: helpful | not helpful | rate this answer.
 */
const LABELS: Record<string, string> = {
  en: 'Helpful|Not helpful|Rate this answer',
  de: 'Hilfreich|Nicht hilfreich|Antwort bewerten',
  fr: 'Utile|Pas utile|Évaluer cette réponse',
  es: 'Útil|No es útil|Valorar esta respuesta',
  it: 'Utile|Non utile|Valuta questa risposta',
  nl: 'Nuttig|Niet nuttig|Beoordeel dit antwoord',
  pt: 'Útil|Não é útil|Avaliar esta resposta',
  pl: 'Pomocne|Niepomocne|Oceń tę odpowiedź',
  sv: 'Hjälpsamt|Inte hjälpsamt|Betygsätt svaret',
  da: 'Nyttigt|Ikke nyttigt|Bedøm svaret',
};

export interface Labels {
  up: string;
  down: string;
  group: string;
}

/** The labels for a BCP 47 tag, by its language (`de-AT` → `de`). */
export function labelsFor(locale: string | undefined): Labels {
  const language = (locale ?? '').split('-')[0]!.toLowerCase();
  const [up, down, group] = (LABELS[language] ?? LABELS.en!).split('|') as [string, string, string];
  return { up, down, group };
}
