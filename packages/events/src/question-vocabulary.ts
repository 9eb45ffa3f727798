// What question keys (question-key.ts) know of each language besides its stemmer and stop-word
// list: words that matter although the list drops them, conversational filler it misses,
// contractions typed without their apostrophe, and a shop's synonyms. Reviewed by hand for web-shop
// questions (sizes, shipping, returns, payment, orders, stock); measured on the labelled pairs of
// tests/knowledge-gaps.pairs.ts and tests/knowledge-gaps.pairs-large.ts (docs/data-model.md).

/** What one language's question keys know. Words are lowercased; accents optional (keys fold them). */
export interface Vocabulary {
  /** Snowball algorithm, or none: such words are compared as written. */
  stemmer?: string;
  /** The `stopword` library's list. */
  list: string;
  /**
   * Words of the library's list kept because they change what a shopper asks: negations,
   * sizes and comparisons, quantities, before/after, from (a direction). ("Does this run small?"
   * must not become "Does this run?")
   */
  keep: readonly string[];
  /** Question filler the library's list misses (auxiliaries, greetings, politeness, chat shorthand). */
  drop: readonly string[];
  /**
   * Whole phrases replaced before words are split (`[pattern, replacement]`, applied in order to
   * the lowercased text): greetings of several words, contractions typed without an apostrophe,
   * and synonyms of more than one word ("money back" → "refund").
   */
  phrases: readonly (readonly [RegExp, string])[];
  /**
   * Words of one meaning in a shop, the first naming the group: every word's stem keys as the
   * first word's stem ("deliver" and "ship" both key `ship`). Kept narrow: a group joins
   * questions, so a word that also means something else must not be in one.
   */
  synonyms: readonly (readonly string[])[];
  /**
   * Words implied by others: when a question names one of `when` (a payment method), the words
   * of `drop` say nothing more ("Do you accept PayPal?" = "Can I pay with PayPal?").
   */
  implied: readonly { when: readonly string[]; drop: readonly string[] }[];
}

/** `\b` for words with accents: a word edge in any script. */
const w = (words: string) => new RegExp(`(?<![\\p{L}\\p{N}])(?:${words})(?![\\p{L}\\p{N}])`, 'gu');

/** Languages with a stemmer and a reviewed vocabulary, by primary subtag. */
export const VOCABULARIES: Record<string, Vocabulary> = {
  en: {
    stemmer: 'english',
    list: 'eng',
    keep: ['after', 'before', 'between', 'from', 'more', 'most', 'never', 'only', 'over', 'same', 'under', 'up'],
    drop: [
      ...['does', 'doing', 'will', 'please', 'pls', 'plz', 'u', 'ur', 'hi', 'hello', 'hey', 'thanks', 'thank'],
      ...['quick', 'question', 'q', 'wondering', 'wonder', 'wanted', 'want', 'ask', 'asking', 'whether', 'tell'],
      ...['know', 'idea', 'sorry', 'bother', 'um', 'uh', 'umm', 'so', 'just', 'actually', 'really', 'guys'],
      ...['need', 'help', 'possible', 'able', 'kindly', 'curious', 'hiya', 'btw', 'ok', 'okay'],
      ...['takes', 'took', 'taking', 'gets', 'getting', 'got', 'find', 'offer', 'provide', 'someone', 'anyone'],
      ...['product', 'products', 'item', 'items'],
    ],
    phrases: [
      // Contractions, with or without the apostrophe: negations stay words.
      [w("can['’]?t|cannot"), 'can not'],
      [w("won['’]?t"), 'will not'],
      [w("(do|does|did|is|are|was|were|has|have|had|would|should|could|must|need)n['’]?t"), '$1 not'],
      [w("i['’]?m"), 'i am'],
      [w("(i|you|we|they)['’]?ve"), '$1 have'],
      [w("(you|they)['’]?re"), '$1 are'],
      [w("we['’]re"), 'we are'],
      [w("(what|where|when|how|who|that|there|here|it)['’]?s"), '$1 is'],
      [w("(i|you|we|they|it)[’']ll"), '$1 will'],
      // Several words of one meaning.
      [w('(money|cash) back|reimburse(ment)?'), 'refund'],
      [w('(send|bring|take|ship|post|mail)( (it|them|this|these|that|those|the \\p{L}+))? back'), 'return'],
      [w('back in stock|restock(ed|ing)?|in stock again'), 'restock'],
      [w('in stock|available|availability'), 'available'],
      [w('gift ?(card|voucher|certificate)s?'), 'giftcard'],
      [w('(discount|promo|promotion|promotional|voucher|coupon) ?codes?|coupons?'), 'promocode'],
      [w('vouchers?'), 'giftcard'],
      [w('call(ing)? off'), 'cancel'],
      [w('(log|sign)[ -]?in|login'), 'login'],
      [w('(log|sign)[ -]?out|logout'), 'logout'],
      [w('check ?out as (a )?guest|guest check ?out'), 'order without account'],
      [w('apple ?pay'), 'applepay'],
      [w('google ?pay'), 'googlepay'],
      [w('bank transfer|wire transfer'), 'banktransfer'],
      [w('credit cards?|debit cards?'), 'card'],
      // The material is what is asked: "made of wool?" = "wool?".
      [w('made (from|out of|of)'), ' '],
      [w('(delivery|shipping|parcel) (company|service|carrier)|carrier'), 'courier'],
      [w('put together|set up'), 'assemble'],
      [w('free of charge|at no cost|for free'), 'free'],
    ],
    synonyms: [
      ['ship', 'shipping', 'shipment', 'deliver', 'delivery', 'delivered', 'dispatch', 'postage', 'arrive', 'arrival'],
      ['ship', 'receive', 'received'],
      ['warranty', 'guarantee'],
      ['order', 'package', 'parcel'],
      ['cost', 'price', 'fee'],
      ['exchange', 'swap'],
      ['sweater', 'jumper', 'pullover'],
      ['sneaker', 'trainer'],
      ['jacket', 'coat'],
      ['large', 'big'],
      ['packaging', 'box'],
      ['color', 'colour'],
    ],
    implied: [
      {
        when: ['paypal', 'klarna', 'card', 'applepay', 'googlepay', 'banktransfer', 'afterpay', 'cash', 'invoice'],
        drop: ['pay', 'payment', 'accept', 'take', 'use'],
      },
    ],
  },
  de: {
    stemmer: 'german',
    list: 'deu',
    keep: [
      ...['nicht', 'nichts', 'nie', 'kein', 'keine', 'keinem', 'keinen', 'keiner', 'keines', 'ohne', 'nein'],
      ...['klein', 'kleine', 'kleinen', 'kleiner', 'kleines', 'gross', 'grosse', 'grossen', 'grosser', 'grosses'],
      ...['groß', 'große', 'großen', 'großer', 'großes', 'kurz', 'lang', 'lange', 'leicht', 'weit'],
      ...['mehr', 'weniger', 'wenig', 'neue', 'neuen', 'früher', 'später', 'heute', 'morgen', 'zurück', 'statt'],
      ...['eins', 'zwei', 'drei', 'vier', 'fünf', 'sechs', 'sieben', 'acht', 'neun', 'zehn', 'elf', 'zwölf'],
      ...['tag', 'tage', 'tagen', 'uhr', 'zeit', 'jahr', 'jahre', 'jahren', 'teil', 'ende', 'aus'],
    ],
    drop: [
      ...['bitte', 'hallo', 'hi', 'hey', 'danke', 'gibt', 'gibts', 'hab', 'kurze', 'frage', 'fragen', 'mal'],
      ...['wollte', 'wollen', 'möchte', 'gerne', 'gern', 'gewusst', 'wissen', 'sagen', 'sagt', 'sag', 'könnt'],
      ...[
        'könnten',
        'eigentlich',
        'noch',
        'entschuldigung',
        'sorry',
        'möglich',
        'hätte',
        'servus',
        'moin',
        'per',
        'finde',
        'finden',
        'zusammen',
        'produkt',
        'artikel',
      ],
    ],
    phrases: [
      [w('guten (tag|morgen|abend)'), ' '],
      // "gibt's", "geht's", "kommt's" typed with or without the apostrophe: the verb and "es".
      [w("(gibt|geht|kommt|passt|klappt|dauert|kostet|ist|war|wie|wo|ob|wenn|was|hat)['’]?s"), '$1 es'],
      [w('(mein|das|dein) geld zurück|rückerstattung|erstattung|erstatten|zurückerstattet'), 'erstattung'],
      [w('auf lager|vorrätig|lieferbar|verfügbar|erhältlich'), 'verfügbar'],
      [w('geschenk(gutschein|karte)n?|gutscheine?'), 'gutschein'],
      [w('(rabatt|gutschein|aktions|promo)-?codes?|coupons?'), 'rabattcode'],
      [w('(kredit|debit)karten?'), 'karte'],
      [w('(\\p{L}+)kosten'), '$1 kosten'],
      [w('zurück(\\p{L}+)'), 'zurück $1'],
    ],
    synonyms: [
      ['versand', 'versenden', 'versendet', 'versende', 'liefern', 'liefert', 'lieferung', 'zustellung'],
      ['versand', 'zustellen', 'verschicken', 'verschickt', 'schicken', 'schicke', 'senden', 'sende', 'sendet'],
      ['bestellung', 'paket', 'päckchen', 'sendung'],
      ['tausch', 'umtauschen', 'tauschen', 'umtausch'],
      ['zahlen', 'bezahlen', 'zahlung', 'bezahlung'],
      ['jacke', 'mantel'],
      ['stornieren', 'abbrechen', 'storno', 'stornierung'],
      ['pullover', 'pulli'],
      ['kosten', 'kostet', 'preis', 'gebühr'],
      ['kostenlos', 'gratis', 'umsonst', 'kostenfrei'],
      ['garantie', 'gewährleistung'],
      ['versand', 'zugestellt', 'geliefert', 'versandt', 'ankommen', 'ankunft'],
    ],
    implied: [
      {
        when: ['paypal', 'klarna', 'karte', 'rechnung', 'lastschrift', 'vorkasse', 'bar'],
        drop: ['zahlen', 'akzeptieren', 'akzeptiert', 'nehmen', 'nehmt'],
      },
    ],
  },
  fr: {
    stemmer: 'french',
    list: 'fra',
    keep: ['pas', 'sans', 'plus'],
    drop: [
      ...['bonjour', 'salut', 'merci', 'svp', 'stp', 'peut', 'peux', 'peuvent', 'pouvez', 'puis', 'petite'],
      ...['question', 'voulais', 'voudrais', 'aimerais', 'aimerai', 'savoir', 'dire', 'pourriez', 'pourrais'],
      ...[
        'excusez',
        'excuse',
        'possible',
        'bonsoir',
        'coucou',
        'si',
        'combien',
        'trouver',
        'rapide',
        'tous',
        'quelqu',
        'produit',
        'article',
      ],
    ],
    phrases: [
      // Elisions typed without their apostrophe.
      [w('cest'), "c'est"],
      [w('jai'), "j'ai"],
      [w('questce|quest ce'), "qu'est-ce"],
      [w('ya'), 'y a'],
      [w('til'), 't il'],
      [w('jaimerais'), "j'aimerais"],
      [w('(récupérer|ravoir|retrouver) (mon|mes) argent|remboursée?s?|remboursement|rembourser'), 'remboursement'],
      [w('en stock|disponibles?|disponibilité'), 'disponible'],
      [w("cartes? cadeaux?|bons? d['’ ]?achat|chèques? cadeaux?"), 'cartecadeau'],
      [w('codes? (promo|de réduction|réduction|de remise|promotionnel)|coupons?'), 'codepromo'],
      [w('cartes? (bancaire|de crédit|bleue)s?'), 'carte'],
      [w('frais de port'), 'frais de livraison'],
    ],
    synonyms: [
      ['livraison', 'livrer', 'livrez', 'livré', 'expédier', 'expédiez', 'expédition', 'envoi', 'envoyer', 'envoyez'],
      ['commande', 'colis', 'paquet', 'achat'],
      ['échanger', 'changer', 'échange'],
      ['manteau', 'veste'],
      ['payer', 'paiement', 'régler'],
      ['prix', 'coûte', 'coûter', 'coût', 'tarif'],
      ['gratuit', 'gratuite', 'gratis', 'offert'],
      ['garantie', 'garanti'],
      ['livraison', 'arriver', 'arrive', 'arrivera', 'recevoir', 'reçu'],
    ],
    implied: [
      {
        when: ['paypal', 'klarna', 'carte', 'virement', 'espèces', 'chèque'],
        drop: ['payer', 'accepter', 'acceptez', 'prenez'],
      },
    ],
  },
  es: {
    stemmer: 'spanish',
    list: 'spa',
    keep: ['no', 'ni', 'sin', 'más', 'poco', 'desde'],
    drop: [
      ...['es', 'está', 'están', 'son', 'hay', 'tiene', 'tienen', 'hace', 'hacen', 'puedo', 'puede', 'pueden'],
      ...['hola', 'gracias', 'favor', 'este', 'esta', 'esto', 'buenas', 'buenos', 'tardes', 'días', 'noches'],
      ...['pregunta', 'quería', 'quiero', 'saber', 'podrían', 'podría', 'decir', 'perdón', 'disculpa', 'disculpe'],
      ...[
        'posible',
        'q',
        'xq',
        'pq',
        'porq',
        'porfa',
        'xfa',
        'oye',
        'cuánto',
        'cuánta',
        'encuentro',
        'encontrar',
        'consulta',
        'todos',
        'viene',
        'vienen',
        'producto',
        'artículo',
      ],
    ],
    phrases: [
      [w('(devolver|devuelven|devuelve|recuperar) (el|mi) dinero|reembolsos?|reembolsar'), 'reembolso'],
      [w('en stock|hay stock|disponibles?|disponibilidad'), 'disponible'],
      [w('(tarjetas?|vales?|cheques?) (de )?regalo'), 'tarjetaregalo'],
      [w('códigos? (de descuento|promocional|promo|de promoción)|cupón|cupones'), 'cupon'],
      [w('tarjetas? de (crédito|débito)'), 'tarjeta'],
      [w('cuánto tiempo'), 'cuánto'],
    ],
    synonyms: [
      [
        'envío',
        'envíos',
        'enviar',
        'envían',
        'envian',
        'entrega',
        'entregas',
        'entregar',
        'entregan',
        'mandar',
        'mandan',
      ],
      ['pedido', 'paquete', 'compra'],
      ['costo', 'coste', 'precio', 'cuesta', 'cuestan'],
      ['cambiar', 'intercambiar', 'cambio'],
      ['chaqueta', 'abrigo'],
      ['pagar', 'pago'],
      ['gratis', 'gratuito', 'gratuita'],
      ['envío', 'llega', 'llegar', 'llegan', 'recibir', 'recibo'],
    ],
    implied: [
      {
        when: ['paypal', 'klarna', 'tarjeta', 'transferencia', 'efectivo', 'bizum'],
        drop: ['pagar', 'aceptan', 'aceptar', 'aceptáis', 'usar'],
      },
    ],
  },
};
