/** The authenticated caller. Every read and write is scoped to `id`. */
export interface User {
  id: string;
}

/** The single user of `AUTH_MODE=none`. */
export const LOCAL_USER: User = { id: "local" };
