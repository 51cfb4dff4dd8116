/**
 * `npx tsx scripts/generate-icons.ts`: renders the app icons in public/icons/*.svg to the PNG
 * sizes the web app manifest, iOS and Lighthouse expect, plus public/favicon.ico, with the
 * same Chromium the end-to-end tests use. The PNGs are committed; run this again after
 * changing an SVG.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { chromiumArgs, resolveChromium } from './lib/browser.ts'

const PUBLIC_DIR = join(import.meta.dirname, '..', 'public')
const ICONS_DIR = join(PUBLIC_DIR, 'icons')

/** Each output: the SVG it comes from, its pixel size, and whether transparent corners are allowed. */
const OUTPUTS: { source: string; size: number; file: string; opaque?: boolean }[] = [
  { source: 'icon.svg', size: 192, file: 'icon-192.png' },
  { source: 'icon.svg', size: 512, file: 'icon-512.png' },
  { source: 'icon-maskable.svg', size: 192, file: 'maskable-192.png', opaque: true },
  { source: 'icon-maskable.svg', size: 512, file: 'maskable-512.png', opaque: true },
  // iOS draws its own rounded corners and shows transparency as black: a full-bleed icon.
  { source: 'icon-maskable.svg', size: 180, file: 'apple-touch-icon.png', opaque: true },
  { source: 'shortcut-share.svg', size: 96, file: 'shortcut-share-96.png' },
  { source: 'shortcut-scan.svg', size: 96, file: 'shortcut-scan-96.png' },
]

const FAVICON_SIZES = [16, 32, 48]

async function main() {
  const browser = await chromium.launch({ executablePath: resolveChromium().executablePath, args: chromiumArgs(), headless: true })
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 })
    const render = async (source: string, size: number, opaque = false): Promise<Buffer> => {
      const svg = await readFile(join(ICONS_DIR, source), 'utf8')
      await page.setViewportSize({ width: size, height: size })
      await page.setContent(
        `<!doctype html><html><body style="margin:0;background:transparent">` +
          `<img alt="" width="${size}" height="${size}" style="display:block" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">` +
          `</body></html>`,
      )
      await page.locator('img').evaluate((img: HTMLImageElement) => img.decode())
      return page.screenshot({ clip: { x: 0, y: 0, width: size, height: size }, omitBackground: !opaque, type: 'png' })
    }

    for (const output of OUTPUTS) {
      await writeFile(join(ICONS_DIR, output.file), await render(output.source, output.size, output.opaque))
      console.log(`wrote public/icons/${output.file}`)
    }
    const favicons = []
    for (const size of FAVICON_SIZES) favicons.push({ size, png: await render('icon.svg', size) })
    await writeFile(join(PUBLIC_DIR, 'favicon.ico'), icoFromPngs(favicons))
    console.log('wrote public/favicon.ico')
  } finally {
    await browser.close()
  }
}

/** An ICO file whose images are PNGs (supported by every browser since Windows Vista's format revision). */
function icoFromPngs(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6)
  header.writeUInt16LE(0, 0) // reserved
  header.writeUInt16LE(1, 2) // 1 = icon
  header.writeUInt16LE(images.length, 4)
  const entries: Buffer[] = []
  let offset = 6 + 16 * images.length
  for (const { size, png } of images) {
    const entry = Buffer.alloc(16)
    entry.writeUInt8(size >= 256 ? 0 : size, 0) // width (0 means 256)
    entry.writeUInt8(size >= 256 ? 0 : size, 1) // height
    entry.writeUInt8(0, 2) // no palette
    entry.writeUInt8(0, 3) // reserved
    entry.writeUInt16LE(1, 4) // colour planes
    entry.writeUInt16LE(32, 6) // bits per pixel
    entry.writeUInt32LE(png.length, 8)
    entry.writeUInt32LE(offset, 12)
    entries.push(entry)
    offset += png.length
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)])
}

await main()
