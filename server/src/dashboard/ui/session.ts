// The operator's API key for this tab only (sessionStorage: gone when the tab closes, never sent anywhere but the
// coordinator's /api).
const STORAGE_KEY = 'sparsefleet.apiKey';

export const session = {
  apiKey(): string | undefined {
    return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  },
  signIn(apiKey: string): void {
    sessionStorage.setItem(STORAGE_KEY, apiKey);
  },
  signOut(): void {
    sessionStorage.removeItem(STORAGE_KEY);
  },
};
