// The enrollment URL of a new token as a QR code for the terminal: a phone's camera opens the browser agent with it.
import QRCode from 'qrcode';

/**
 * Half-height blocks (two modules per character) with the colours set explicitly (black on white, a one-module
 * quiet zone), so the code scans on dark and light terminal themes alike.
 */
export function renderTerminalQr(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true });
}
