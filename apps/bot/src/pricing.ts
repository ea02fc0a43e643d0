import { z } from 'zod';

/** A package of credits sold for Telegram Stars. */
export interface TopUpPackage {
  /** Short and stable: it is the invoice payload and names the package in the wallet's log. */
  id: string;
  credits: number;
  stars: number;
}

/** What things cost, in whole credits, and what a user gets and can buy. */
export interface Pricing {
  trainingCredits: number;
  creditsPerImage: number;
  /** Given once, when a user's wallet is opened. */
  welcomeCredits: number;
  packages: readonly TopUpPackage[];
}

export const defaultPricing: Pricing = {
  trainingCredits: 150,
  creditsPerImage: 5,
  welcomeCredits: 50,
  packages: [
    { id: 'p200', credits: 200, stars: 100 },
    { id: 'p500', credits: 500, stars: 225 },
    { id: 'p1500', credits: 1500, stars: 600 },
  ],
};

const credits = z.coerce.number().int('must be a whole number of credits').min(1, 'must be at least 1').max(1_000_000);

const packageSchema = z
  .string()
  .regex(/^[a-z0-9_-]{1,16}:\d+:\d+$/, 'must be id:credits:stars, e.g. p500:500:225 (an id of a-z, 0-9, _ and -)')
  .transform((text) => {
    const [id, creditsText, starsText] = text.split(':') as [string, string, string];
    return { id, credits: Number(creditsText), stars: Number(starsText) };
  })
  .refine((p) => p.credits >= 1 && p.credits <= 1_000_000, 'credits must be 1 to 1,000,000')
  .refine((p) => p.stars >= 1 && p.stars <= 10_000, 'stars must be 1 to 10,000 (Telegram’s limit for one invoice)');

const packagesSchema = z
  .string()
  .transform((text) => text.split(',').map((item) => item.trim()))
  .pipe(z.array(packageSchema).min(1, 'must list at least one package').max(8, 'may list at most 8 packages'))
  .refine((packages) => new Set(packages.map((p) => p.id)).size === packages.length, 'package ids must be unique');

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

export const pricingEnvSchema = z.object({
  PRICE_TRAINING_CREDITS: optional(credits),
  PRICE_IMAGE_CREDITS: optional(credits),
  WELCOME_CREDITS: optional(z.coerce.number().int('must be a whole number of credits').min(0).max(1_000_000)),
  TOPUP_PACKAGES: optional(packagesSchema),
});

export function pricingOf(env: z.infer<typeof pricingEnvSchema>): Pricing {
  return {
    trainingCredits: env.PRICE_TRAINING_CREDITS ?? defaultPricing.trainingCredits,
    creditsPerImage: env.PRICE_IMAGE_CREDITS ?? defaultPricing.creditsPerImage,
    welcomeCredits: env.WELCOME_CREDITS ?? defaultPricing.welcomeCredits,
    packages: env.TOPUP_PACKAGES ?? defaultPricing.packages,
  };
}

export function packageById(pricing: Pricing, id: string): TopUpPackage | undefined {
  return pricing.packages.find((p) => p.id === id);
}
