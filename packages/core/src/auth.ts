import { z } from 'zod';
import { Id } from './common.js';

/** The instance-wide role of a user: the first user of an instance is its admin. */
export const UserRole = z.enum(['user', 'admin']);
export type UserRole = z.infer<typeof UserRole>;

/** Minimum password length; shorter ones are refused with validation_error. */
export const PASSWORD_MIN_LENGTH = 10;

/** An email address, trimmed and lower-cased before it is checked, so lookups never depend on case. */
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .check(z.email({ message: 'must be a valid email address' }));

export const RegisterBody = z
  .object({
    email: Email,
    /** Also checked by the server against a strength estimator (zxcvbn): common or guessable ones are refused. */
    password: z
      .string()
      .min(PASSWORD_MIN_LENGTH, { message: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
      .max(1024)
      .refine((p) => p.trim().length > 0, { message: 'must not be only whitespace' }),
    display_name: z.string().trim().min(1).max(100).optional(),
  })
  .meta({ id: 'RegisterBody' });
export type RegisterBody = z.input<typeof RegisterBody>;

export const LoginBody = z
  .object({
    email: Email,
    password: z.string().min(1).max(1024),
    remember: z.boolean().optional(),
  })
  .meta({ id: 'LoginBody' });
export type LoginBody = z.input<typeof LoginBody>;

export const RefreshBody = z.object({ refresh_token: z.string().min(1).max(512) }).meta({ id: 'RefreshBody' });
export type RefreshBody = z.infer<typeof RefreshBody>;

export const LogoutBody = z.object({ refresh_token: z.string().min(1).max(512).optional() }).meta({ id: 'LogoutBody' });
export type LogoutBody = z.infer<typeof LogoutBody>;

export const User = z
  .object({ id: Id, email: z.string(), display_name: z.string(), role: UserRole })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const AuthSession = z
  .object({
    user: User,
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    refresh_token: z.string().optional(),
  })
  .meta({ id: 'AuthSession' });
export type AuthSession = z.infer<typeof AuthSession>;
