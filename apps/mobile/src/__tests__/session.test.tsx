import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { fireEvent, render, screen, waitFor } from '@testing-library/react-native';
import * as SecureStore from 'expo-secure-store';
import { App } from '../App';

// The secure store, in memory: what the app writes to the keychain/keystore.
const mockStored = new Map<string, string>();
jest.mock('expo-secure-store', () => ({
  getItemAsync: jest.fn(async (key: string) => mockStored.get(key) ?? null),
  setItemAsync: jest.fn(async (key: string, value: string) => void mockStored.set(key, value)),
  deleteItemAsync: jest.fn(async (key: string) => void mockStored.delete(key)),
}));
jest.mock('../lib/device-registration', () => jest.requireActual('../lib/device-registration.web'));

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
  mockStored.clear();
});

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('sign in and out', () => {
  it('keeps the tokens in the secure store, and forgets them at sign-out', async () => {
    const calls: string[] = [];
    globalThis.fetch = jest.fn(async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(String(input));
      calls.push(`${init?.method ?? 'GET'} ${url.pathname}`);
      if (url.pathname === '/api/v1/auth/login') {
        expect(JSON.parse(String(init?.body))).toEqual({ email: 'ada@example.test', password: 'pw', remember: true });
        return json(200, {
          user: { id: 'u1', email: 'ada@example.test', display_name: 'Ada' },
          access_token: 'access-1',
          token_type: 'Bearer',
          expires_in: 900,
          refresh_token: 'refresh-1',
        });
      }
      if (url.pathname === '/api/v1/auth/logout') return new Response(null, { status: 204 });
      return json(200, { notifications: [], cursor: null, projects: [], preferences: [] });
    }) as typeof fetch;

    render(<App />);
    fireEvent.changeText(await screen.findByLabelText('Server URL'), 'https://hivesync.test/api/v1/');
    fireEvent.changeText(screen.getByLabelText('Email'), 'ada@example.test');
    fireEvent.changeText(screen.getByLabelText('Password'), 'pw');
    fireEvent.press(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByText('Open a preview');
    expect(JSON.parse(mockStored.get('hivesync.session')!)).toMatchObject({
      serverUrl: 'https://hivesync.test',
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
    });
    expect(SecureStore.setItemAsync).toHaveBeenCalled();

    fireEvent.press(screen.getByRole('tab', { name: 'Settings' }));
    fireEvent.press(await screen.findByRole('button', { name: 'Sign out' }));
    await screen.findByText('Sign in to HiveSync');
    await waitFor(() => expect(calls).toContain('POST /api/v1/auth/logout'));
    expect(mockStored.has('hivesync.session')).toBe(false);
  });

  it('says so when the password is wrong', async () => {
    globalThis.fetch = jest.fn(async () =>
      json(401, { error: { code: 'invalid_credentials', message: 'Wrong email or password.' } }),
    ) as typeof fetch;
    render(<App />);
    fireEvent.changeText(await screen.findByLabelText('Server URL'), 'https://hivesync.test');
    fireEvent.changeText(screen.getByLabelText('Email'), 'ada@example.test');
    fireEvent.changeText(screen.getByLabelText('Password'), 'nope');
    fireEvent.press(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Wrong email or password.')).toBeTruthy();
    expect(mockStored.size).toBe(0);
  });
});
