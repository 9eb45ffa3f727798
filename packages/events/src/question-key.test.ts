import { describe, expect, it } from 'vitest';
import { plainQuestionText, questionKey, questionLanguage } from './question-key.ts';

describe('questionKey', () => {
  it("holds the contract's examples", () => {
    expect(questionKey('Does this run true to size?')).toBe(questionKey('does it run true to size'));
    expect(questionKey('Is shipping free?', 'en-US')).toBe(questionKey('Free shipping?', 'en'));
    expect(questionKey('Does this run small?')).not.toBe(questionKey('does it run true to size'));
    expect(questionKey('Does this run true to size?')).toBe('run size true');
  });

  it.each([
    ['Does this run small?', 'Does this run?'],
    ['Is it more expensive?', 'Is it expensive?'],
    ['Is it the same size?', 'Is it the size?'],
    ['Should I size up?', 'Should I size?'],
    ['Free shipping over 50?', 'Free shipping 50?'],
    ['Does it never fade?', 'Does it fade?'],
    ["Doesn't it shrink?", 'Does it shrink?'],
    ["It won't fit?", 'It will fit?'],
  ])('keeps the word that changes the question: %s', (withWord, without) => {
    expect(questionKey(withWord, 'en')).not.toBe(questionKey(without, 'en'));
  });

  it.each([
    ['de', 'Fällt die Hose klein aus?', 'Fällt die Hose aus?'],
    ['de', 'Kann ich ohne Konto bestellen?', 'Kann ich mit Konto bestellen?'],
    ['de', 'Ist das Kleid nicht zu lang?', 'Ist das Kleid zu lang?'],
    ['de', 'Gibt es das in zwei Farben?', 'Gibt es das in Farben?'],
    ['fr', "Ce n'est pas lavable ?", "C'est lavable ?"],
    ['fr', 'Puis-je payer sans compte ?', 'Puis-je payer avec un compte ?'],
    ['es', '¿No es impermeable?', '¿Es impermeable?'],
    ['es', '¿Puedo pagar sin tarjeta?', '¿Puedo pagar con tarjeta?'],
    ['es', '¿Es más grande?', '¿Es grande?'],
  ])('keeps negations, sizes and numbers of the stop-word list in %s: %s', (locale, withWord, without) => {
    expect(questionKey(withWord, locale)).not.toBe(questionKey(without, locale));
  });

  it('stems in the language of the locale', () => {
    expect(questionKey('Sind die Schuhe wasserdicht?', 'de-DE')).toBe(questionKey('Ist der Schuh wasserdicht', 'de'));
    expect(questionKey('Wie storniere ich meine Bestellung?', 'de-AT')).toBe(
      questionKey('Kann ich die Bestellung stornieren?', 'de'),
    );
    expect(questionKey('La livraison est-elle gratuite ?', 'fr-CA')).toBe(questionKey('Livraison gratuite', 'fr'));
    expect(questionKey('¿Política de devoluciones?', 'es-MX')).toBe(
      questionKey('¿Cuál es la política de devolución?', 'es'),
    );
    // Read as English, the German stop words and inflections stay.
    expect(questionKey('Sind die Schuhe wasserdicht?')).not.toBe(questionKey('Ist der Schuh wasserdicht'));
  });

  it('matches words typed without accents', () => {
    expect(questionKey('¿envio gratis?', 'es')).toBe(questionKey('¿Envío gratis?', 'es'));
    expect(questionKey('Livraison a Montreal ?', 'fr')).toBe(questionKey('Livraison à Montréal ?', 'fr'));
  });

  it('drops stop words but does not stem other languages, and reads a missing or odd locale as English', () => {
    expect(questionKey('Spedite in Svizzera?', 'it')).toBe(questionKey('spedite in svizzera', 'it-CH'));
    expect(questionKey('Spedite in Svizzera?', 'it')).not.toBe(questionKey('Spedito in Svizzera', 'it'));
    expect(questionKey('È gratis la spedizione?', 'it')).toBe('gratis spedizione');
    expect(questionKey('Quanto costa?', 'xx')).toBe('costa quanto');
    expect(questionLanguage(undefined)).toBe('en');
    expect(questionLanguage('')).toBe('en');
    expect(questionLanguage('DE-at')).toBe('de');
    expect(questionLanguage('1234')).toBe('en');
  });

  it('keys a question of stop words only on its plain text', () => {
    expect(questionKey('What is it?')).toBe('what is it');
    expect(questionKey('What is it?')).not.toBe(questionKey('How is it?'));
    expect(plainQuestionText('  Do you ship to CANADA?!  ')).toBe('do you ship to canada');
  });

  it.each([
    ['en', 'Why doesnt my code work?', "Why doesn't my code work?"],
    ['en', 'Im not sure about my size', "I'm not sure about my size"],
    ['en', 'Theyre too small', "They're too small"],
    ['de', 'Gibts das in Rot?', "Gibt's das in Rot?"],
    ['fr', 'Cest lavable ?', "C'est lavable ?"],
  ])('reads contractions typed without the apostrophe (%s): %s', (locale, bare, written) => {
    expect(questionKey(bare, locale)).toBe(questionKey(written, locale));
  });

  it('keeps the negation of a contraction without apostrophe', () => {
    expect(questionKey('It doesnt shrink?')).not.toBe(questionKey('It shrinks?'));
    expect(questionKey('I cant log in')).not.toBe(questionKey('I can log in'));
  });

  it.each([
    ['en', 'Hi there, quick question: do you ship to Ireland?', 'Do you ship to Ireland?'],
    ['en', 'I was wondering if you could tell me whether it is machine washable', 'Is it machine washable?'],
    ['de', 'Hallo, kurze Frage: liefert ihr nach Italien?', 'Liefert ihr nach Italien?'],
    ['fr', 'Bonjour, je voulais savoir si la robe a des poches', 'La robe a-t-elle des poches ?'],
    ['es', 'Hola, una pregunta: ¿envían a Colombia?', '¿Envían a Colombia?'],
  ])('drops filler around the request (%s): %s', (locale, padded, plain) => {
    expect(questionKey(padded, locale)).toBe(questionKey(plain, locale));
  });

  it.each([
    ['en', 'Do you deliver to Ireland?', 'Do you ship to Ireland?'],
    ['en', 'Can I get my money back?', 'Can I get a refund?'],
    ['en', 'Do you accept PayPal?', 'Can I pay with PayPal?'],
    ['de', 'Wie lange dauert die Zustellung?', 'Wie lange dauert die Lieferung?'],
    ['fr', 'Quels sont les frais de port ?', 'Quels sont les frais de livraison ?'],
    ['es', '¿Cuánto tarda la entrega?', '¿Cuánto tarda el envío?'],
  ])('keys a shop’s synonyms as one word (%s): %s', (locale, a, b) => {
    expect(questionKey(a, locale)).toBe(questionKey(b, locale));
  });

  it.each([
    ['en', 'Do you ship to Ireland?', 'Do you ship from Ireland?'],
    ['en', 'I cant log in', 'I cant log out'],
    ['en', 'Can I buy a gift card?', 'Can I use a gift card?'],
    ['en', 'Can I get a refund?', 'Can I get a discount?'],
    ['de', 'Versendet ihr nach Österreich?', 'Versendet ihr aus Österreich?'],
    ['es', '¿Envían desde España?', '¿Envían a España?'],
  ])('keeps apart what a synonym or filler rule could merge (%s): %s', (locale, a, b) => {
    expect(questionKey(a, locale)).not.toBe(questionKey(b, locale));
  });
});
