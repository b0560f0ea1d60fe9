// The enrollment URL as a QR code a phone's camera can open: an SVG element (qrcode renders it to text in the
// bundle; nothing is fetched).
import QRCode from 'qrcode';

export async function qrSvg(text: string): Promise<SVGSVGElement> {
  const markup = await QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  const svg = new DOMParser().parseFromString(markup, 'image/svg+xml').documentElement as unknown as SVGSVGElement;
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'QR code of the enrollment URL');
  return svg;
}
