import type { Rng } from './prng.js';

/** Vocabulary for plausible documents. Clean documents stay in plain text; unicode shows up as labelled quirks. */
export const FIRST_NAMES = [
  'Anna',
  'Boris',
  'Chen',
  'Diego',
  'Elif',
  'Fatima',
  'George',
  'Hana',
  'Ivan',
  'Julia',
  'Kenji',
  'Lena',
  'Marco',
  'Nadia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tara',
  'Umar',
  'Vera',
  'Wei',
  'Yusuf',
  'Zoe',
] as const;
export const LAST_NAMES = [
  'Ivanova',
  'Smith',
  'Garcia',
  'Kowalski',
  'Nguyen',
  'Yilmaz',
  'Haddad',
  'Tanaka',
  'Schmidt',
  'Rossi',
  'Petrov',
  'Okafor',
  'Silva',
  'Kim',
  'Novak',
  'Larsen',
  'Dubois',
  'Singh',
  'Cohen',
  'Moreau',
] as const;
export const EMAIL_DOMAINS = ['gmail.com', 'proton.me', 'yahoo.com', 'outlook.com', 'mail.ru', 'example.org'];
export const LANGUAGES = ['en', 'ru', 'de', 'es', 'tr', 'uk', 'zh', 'ar'];
export const CURRENCIES = ['USDT', 'USDC', 'USD', 'EUR'];

/** (city, region, country alpha-2, postal code pattern: 9 → digit, A → letter). */
export const PLACES: readonly (readonly [string, string, string, string])[] = [
  ['Berlin', 'Berlin', 'DE', '99999'],
  ['Munich', 'Bavaria', 'DE', '99999'],
  ['Austin', 'TX', 'US', '99999'],
  ['Seattle', 'WA', 'US', '99999'],
  ['London', 'England', 'GB', 'AA9 9AA'],
  ['Warsaw', 'Mazowieckie', 'PL', '99-999'],
  ['Lyon', 'Auvergne-Rhone-Alpes', 'FR', '99999'],
  ['Toronto', 'ON', 'CA', 'A9A 9A9'],
  ['Istanbul', 'Istanbul', 'TR', '99999'],
  ['Dubai', 'Dubai', 'AE', ''],
  ['Lisbon', 'Lisboa', 'PT', '9999-999'],
  ['Tokyo', 'Tokyo', 'JP', '999-9999'],
];
export const STREETS = [
  'Main St',
  'Oak Avenue',
  'Hauptstrasse',
  'Rue de la Paix',
  'High Street',
  'Market Road',
];
export const ADDRESS_LABELS = ['Home', 'Work', 'Parents', 'Office', 'Warehouse', 'Pickup point'];
export const CATEGORY_NAMES = [
  'Electronics',
  'Phones',
  'Laptops',
  'Accessories',
  'Home',
  'Garden',
  'Books',
  'Music',
  'Games',
  'Toys',
  'Fashion',
  'Shoes',
  'Sports',
  'Outdoor',
  'Beauty',
  'Health',
  'Auto',
  'Tools',
  'Services',
  'Digital goods',
] as const;
export const SHOP_WORDS = ['Store', 'Market', 'Shop', 'Outlet', 'Trading', 'Goods', 'Depot', 'Bazaar'];
export const SENTENCES = [
  'Fast shipping and friendly support.',
  'Only original products, checked before dispatch.',
  'Ask about bulk discounts.',
  'Open on weekdays; weekend orders ship on Monday.',
  'Crypto payments only.',
];

/** Emoji, including ZWJ sequences, skin tones and flags: multi-code-unit text a naive truncation breaks. */
export const EMOJI_TEXTS = [
  '🛍️ Лавка чудес 🎁',
  '🔥🔥 Best deals 💯',
  '👩🏽‍💻 dev gear 🚀',
  '🇺🇦🇩🇪 Grüße 😀',
  '🧑‍🍳 Kitchen 🍜',
];
/** Right-to-left text, alone and mixed with left-to-right runs and digits. */
export const RTL_TEXTS = [
  'متجر الإلكترونيات الحديثة',
  'חנות הספרים של דוד',
  'سوق الكتب - Book market',
  'מוצרים 100% מקוריים',
];

/** Exactly `codePoints` code points (never a split surrogate pair: the copy must stay valid UTF-8), no NUL. */
export function longText(rng: Rng, codePoints = 10_000): string {
  const pieces = [
    'Lorem ipsum dolor sit amet ',
    'Съешь же ещё этих мягких булок ',
    '日本語のテキスト ',
    'ça coûte 5 € ',
    '🙂 ',
  ];
  const out: string[] = [];
  while (out.length < codePoints) out.push(...Array.from(rng.pick(pieces)));
  return out.slice(0, codePoints).join('');
}

/** A postal code from a pattern: 9 → digit, A → capital letter. */
export function postalCode(rng: Rng, pattern: string): string {
  return pattern.replace(/[9A]/g, (c) =>
    c === '9' ? String(rng.int(10)) : rng.chars('ABCDEFGHJKLMNPRSTUVWXYZ', 1),
  );
}

export const slugify = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** What buyers ask for: `${need} ${item}` reads as a request title. */
export const REQUEST_NEEDS = ['Looking for', 'Need', 'Buying', 'Wanted:', 'Quote for', 'Sourcing'];
export const REQUEST_ITEMS = [
  'a used ThinkPad X1',
  'iPhone 13 screen repair',
  '20 kg of coffee beans',
  'a logo design',
  'Steam gift cards',
  'a mountain bike',
  'translation of a contract',
  'PS5 controller',
  'bulk USB-C cables',
  'a wedding photographer',
];
export const OFFER_MESSAGES = [
  'Can ship tomorrow.',
  'Brand new, sealed.',
  'Price includes shipping.',
  'I have done this many times, see my reviews.',
  'Available this week.',
];
export const REVIEW_COMMENTS = [
  'Great seller, fast delivery.',
  'Item as described.',
  'Slow to answer but all good.',
  'Would buy again.',
  'Paid quickly, smooth deal.',
];
export const DISPUTE_NOTES = [
  'Parcel never arrived.',
  'Tracking shows delivered, buyer disagrees.',
  'Item damaged on arrival.',
  'Seller unresponsive for a week.',
  'Refund agreed by both parties.',
];
