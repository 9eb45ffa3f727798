/** The scripted conversation the widget plays: shopper question, AI answer. */
export interface Exchange {
  shopper: string;
  assistant: string;
}

export const SCRIPT: readonly Exchange[] = [
  {
    shopper: "Hi! Does the linen summer dress run true to size? I'm usually a medium.",
    assistant:
      'It runs slightly relaxed: the linen softens and gives a little with wear. Most shoppers who are usually ' +
      'a medium take an M for an easy fit, or an S for a closer fit through the bodice. The M is 96 cm at the ' +
      'chest and 118 cm long.',
  },
  {
    shopper: 'Great. Do you ship to Canada?',
    assistant:
      'Yes, we ship to Canada with tracked delivery in 5 to 8 business days. Duties and taxes are calculated ' +
      'at checkout, so there is nothing extra to pay when the parcel arrives.',
  },
  {
    shopper: "And if it doesn't fit, how do returns work?",
    assistant:
      'You have 30 days from delivery to return unworn items with their tags. Start the return from your ' +
      'order page and we email you a prepaid label; the refund reaches your card within 5 business days of ' +
      'the parcel reaching us.',
  },
  {
    shopper: "Perfect, I'll take the M in sand. Thanks!",
    assistant: 'Lovely choice! The M in sand is in stock and ships today if you order before 2 pm. Enjoy the dress!',
  },
];
