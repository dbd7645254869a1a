import { z } from "zod";

export const Email = z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address").max(254));

export const SignUpInput = z.object({
  email: Email,
  password: z.string().min(8, "Use at least 8 characters").max(200, "Use at most 200 characters"),
  name: z.string().trim().max(100).optional(),
});
export type SignUpInput = z.input<typeof SignUpInput>;

export const SignInInput = z.object({
  email: Email,
  password: z.string().min(1).max(200),
});
