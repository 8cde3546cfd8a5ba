import { z } from 'zod';

/** media: the multipart fields. `file` is checked for type and size after parsing. */
export const mediaUploadSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('avatar'), file: z.instanceof(File, { message: 'file must be a file' }) }),
  z.object({
    kind: z.literal('post'),
    file: z.instanceof(File, { message: 'file must be a file' }),
    post_id: z.coerce.number().int().positive(),
  }),
], { error: () => "kind must be 'avatar' or 'post'" });

export type MediaUpload = z.infer<typeof mediaUploadSchema>;

const email = z.string().trim().toLowerCase().pipe(z.email().max(255));

/** password-reset: ask for a link, or use one. */
export const passwordResetSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('request'), email }),
  z.object({
    action: z.literal('confirm'),
    token: z.string().min(20).max(200),
    password: z.string().min(1).max(72),
  }),
], { error: () => "action must be 'request' or 'confirm'" });

export type PasswordResetInput = z.infer<typeof passwordResetSchema>;

/** zod's issues as `{ path, message }` pairs for a 400's details. */
export function issues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}
