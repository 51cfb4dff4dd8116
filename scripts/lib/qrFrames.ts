import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { create } from 'qrcode'
import { careKeyExtension, careKeyShareLink, shlinkViewerUrl } from '../../src/domain/shl/index.ts'
import { createWasmQrDecoder, type QrDecoder } from '../../src/features/scan/qrDecoder.ts'

/** A grayscale camera frame: one byte of luma per pixel, row by row. */
export type GrayFrame = { readonly width: number; readonly height: number; readonly data: Uint8ClampedArray }

/**
 * What a phone camera does to a QR code on a screen or on paper. Every field is optional; a
 * frame with none of them is the clean code, centred, black on white.
 */
export type QrFrameOptions = {
  /** Frame size in pixels; 640×480 by default. */
  width?: number
  height?: number
  /** Pixels per module when the code faces the camera; by default the largest that fits with a 4-module quiet zone. */
  moduleSize?: number
  /** The code turned away from the camera, in degrees: around the vertical axis (yaw), the horizontal one (pitch), and in its plane (roll). */
  tilt?: { yaw?: number; pitch?: number; roll?: number }
  /** The luma of the dark modules and of the light background (16 and 235 by default, a video's black and white). */
  contrast?: { dark: number; light: number }
  /**
   * A reflection on the screen: light added in a spot at (x, y) (fractions of the frame), with
   * a radius (the spread, a fraction of the frame's height) and a strength (1 adds full white at
   * its centre). The sensor clips: where the light is strong, dark and light modules are both white.
   */
  glare?: { x: number; y: number; radius: number; strength: number }
  /** Gaussian blur (out of focus, or a moving hand): the standard deviation, in pixels. */
  blur?: number
  /** Sensor noise: the standard deviation of Gaussian noise, in luma steps. */
  noise?: number
  /** The seed of the noise, so a frame is the same on every run. */
  seed?: number
}

const QUIET_ZONE = 4
/** Samples per pixel side when drawing: a camera pixel averages the light that falls on it. */
const SUPERSAMPLE = 2

/**
 * Draws a QR code of `text` as a camera would see it, then degrades it: perspective from a
 * tilt, lighting (contrast), a glare spot, blur and sensor noise, in the order light meets
 * them. Deterministic: the same options give the same bytes.
 *
 * @example
 * const frame = qrFrame(link, { tilt: { yaw: 30 }, blur: 1.2, noise: 6 })
 */
export function qrFrame(text: string, options: QrFrameOptions = {}): GrayFrame {
  const width = options.width ?? 640
  const height = options.height ?? 480
  const qr = create(text, { errorCorrectionLevel: 'M' })
  const modules = qr.modules.size
  const side = modules + QUIET_ZONE * 2
  const moduleSize = options.moduleSize ?? Math.floor(Math.min(width, height) / side)
  if (moduleSize <= 0) throw new Error(`a ${modules}-module QR code does not fit a ${width}×${height} frame`)
  const dark = options.contrast?.dark ?? 16
  const light = options.contrast?.light ?? 235

  // A pinhole camera looking down +z at the code's plane, which faces it from distance `focal`
  // before it is tilted: there, one unit of the plane is one pixel of the frame. Each camera
  // pixel's ray meets the plane at a point whose plane coordinates pick the module it sees.
  const focal = Math.max(width, height)
  const rad = (deg = 0) => (deg * Math.PI) / 180
  const [u, v] = planeAxes(rad(options.tilt?.yaw), rad(options.tilt?.pitch), rad(options.tilt?.roll))
  const [nx, ny, nz] = cross(u, v)
  const nc = nz * focal
  // Module edges on whole pixels when the code faces the camera, so a clean frame is crisp.
  const half = Math.floor((side * moduleSize) / 2)
  const modulesData = qr.modules.data

  const luma = new Float64Array(width * height)
  const samples = SUPERSAMPLE * SUPERSAMPLE
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      let darkSamples = 0
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        const ry = py + (sy + 0.5) / SUPERSAMPLE - height / 2
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const rx = px + (sx + 0.5) / SUPERSAMPLE - width / 2
          const t = nc / (nx * rx + ny * ry + nz * focal)
          if (!(t > 0)) continue
          const hx = rx * t
          const hy = ry * t
          const hz = focal * t - focal
          const col = Math.floor((hx * u[0] + hy * u[1] + hz * u[2] + half) / moduleSize) - QUIET_ZONE
          const row = Math.floor((hx * v[0] + hy * v[1] + hz * v[2] + half) / moduleSize) - QUIET_ZONE
          if (col >= 0 && row >= 0 && col < modules && row < modules && modulesData[row * modules + col] === 1) darkSamples++
        }
      }
      luma[py * width + px] = light + ((dark - light) * darkSamples) / samples
    }
  }

  if (options.glare) {
    const { x, y, radius, strength } = options.glare
    const cx = x * width
    const cy = y * height
    const r = radius * height
    for (let py = 0; py < height; py++) {
      for (let px = 0; px < width; px++) {
        const i = py * width + px
        const d2 = (px - cx) ** 2 + (py - cy) ** 2
        luma[i] = (luma[i] ?? 0) + 255 * strength * Math.exp(-d2 / (2 * r * r))
      }
    }
  }

  const blurred = options.blur ? gaussianBlur(luma, width, height, options.blur) : luma
  const random = gaussian(options.seed ?? 1)
  const data = new Uint8ClampedArray(width * height)
  for (let i = 0; i < data.length; i++) data[i] = Math.round((blurred[i] ?? 0) + (options.noise ? random() * options.noise : 0))
  return { width, height, data }
}

/**
 * The frame as a canvas's getImageData gives it (RGBA, gray in every channel), for the app's
 * decoder. In Node, call `nodeQrDecoder()` first: it provides ImageData.
 */
export function toImageData(frame: GrayFrame): ImageData {
  const rgba = new Uint8ClampedArray(frame.width * frame.height * 4)
  for (let i = 0; i < frame.data.length; i++) {
    const g = frame.data[i] ?? 0
    rgba[i * 4] = g
    rgba[i * 4 + 1] = g
    rgba[i * 4 + 2] = g
    rgba[i * 4 + 3] = 255
  }
  return new ImageData(rgba, frame.width, frame.height)
}

let nodeDecoder: Promise<QrDecoder> | undefined

/**
 * The app's WebAssembly QR decoder (ZXing through the `barcode-detector` ponyfill, as in
 * Chromium on Linux), in Node: the `.wasm` is read from node_modules, and the two DOM classes
 * the ponyfill uses on pixels (ImageData, DOMRectReadOnly) get minimal stand-ins.
 *
 * @example
 * const [text] = await (await nodeQrDecoder()).detect(toImageData(qrFrame(link, { blur: 1 })))
 */
export function nodeQrDecoder(): Promise<QrDecoder> {
  nodeDecoder ??= (async () => {
    installPixelClasses()
    const require = createRequire(import.meta.url)
    const wasm = await readFile(require.resolve('zxing-wasm/reader/zxing_reader.wasm'))
    return createWasmQrDecoder({ wasmBinary: new Uint8Array(wasm).buffer })
  })()
  return nodeDecoder
}

function installPixelClasses(): void {
  if (typeof globalThis.ImageData !== 'function') {
    class NodeImageData {
      readonly colorSpace = 'srgb'
      constructor(
        readonly data: Uint8ClampedArray<ArrayBuffer>,
        readonly width: number,
        readonly height: number,
      ) {
        if (data.length !== width * height * 4) throw new RangeError(`ImageData: ${data.length} bytes is not ${width}×${height}×4`)
      }
      get [Symbol.toStringTag]() {
        return 'ImageData'
      }
    }
    Object.assign(globalThis, { ImageData: NodeImageData })
  }
  if (typeof globalThis.DOMRectReadOnly !== 'function') {
    class NodeDOMRectReadOnly {
      constructor(
        readonly x = 0,
        readonly y = 0,
        readonly width = 0,
        readonly height = 0,
      ) {}
    }
    Object.assign(globalThis, { DOMRectReadOnly: NodeDOMRectReadOnly })
  }
}

/**
 * Writes frames as a y4m video for Chromium's fake camera (`--use-file-for-fake-video-capture`):
 * a text header, then per frame the luma plane and neutral chroma (4:2:0). Chromium loops it.
 */
export async function writeY4m(frames: readonly GrayFrame[], path: string): Promise<void> {
  const [first] = frames
  if (!first) throw new Error('a video needs at least one frame')
  const { width, height } = first
  if (width % 2 || height % 2) throw new Error(`y4m 4:2:0 frames need an even size, not ${width}×${height}`)
  const chroma = new Uint8Array((width / 2) * (height / 2)).fill(128)
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`)
  const parts = frames.flatMap((f): Uint8Array[] => {
    if (f.width !== width || f.height !== height) throw new Error('every frame of a video has the same size')
    return [Buffer.from('FRAME\n'), new Uint8Array(f.data.buffer, f.data.byteOffset, f.data.length), chroma, chroma]
  })
  await writeFile(path, Buffer.concat([header, ...parts]))
}

/**
 * A consent link as long as the patient's app made them for "whoever I show this QR code to"
 * before the grant moved to the share host (about 770 characters, a version 22 QR code; links
 * made today are version 11): the densest code a clinician still meets, with fixed values so
 * that every frame drawn from it is the same on every run.
 */
export function sampleConsentLink(viewerUrl = 'https://carekey.example/view'): string {
  const hash = (label: string) => createHash('sha256').update(`carekey sample ${label}`).digest()
  const word = (label: string) => `0x${hash(label).toString('hex')}` as const
  return shlinkViewerUrl(viewerUrl, {
    url: `https://share.carekey.example/shl/${hash('share id').toString('base64url')}`,
    key: hash('share key').toString('base64url'),
    exp: 1_900_000_000,
    flags: ['L'],
    label: 'CareKey shared records',
    extensions: careKeyExtension({
      chainId: 31337,
      registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      terms: {
        patient: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
        grantee: word('grantee'),
        scopeHash: word('scope'),
        purpose: word('purpose'),
        validFrom: 1_800_000_000n,
        validUntil: 1_900_000_000n,
        dataHash: word('data'),
        salt: word('salt'),
      },
      bearerSecret: word('bearer secret'),
    }),
  })
}

/**
 * A consent link as the patient's app makes it today (its grant at the share host, a passcode:
 * about 250 characters, a version 11 QR code), with fixed values like `sampleConsentLink`.
 */
export function sampleShortConsentLink(viewerUrl = 'https://carekey.example/view'): string {
  const hash = (label: string) => createHash('sha256').update(`carekey sample ${label}`).digest().toString('base64url')
  return careKeyShareLink(viewerUrl, { manifestUrl: `https://share.carekey.example/shl/${hash('share id')}`, key: hash('share key'), flags: ['L', 'P'] })
}

/**
 * What a phone's camera makes of a consent QR code (`sampleConsentLink`, version 22) shown on
 * a screen or printed, in conditions people scan in: the scanner must read every one of these.
 * Module sizes are pixels per module of the code facing the camera (4 fills a 640×480 frame).
 */
export const PHONE_CAMERA_FRAMES: Readonly<Record<string, QrFrameOptions>> = {
  'out of focus (blur of 0.4 module)': { blur: 1.5 },
  'turned 40° sideways': { moduleSize: 3, tilt: { yaw: 40 } },
  'tipped back 40°': { moduleSize: 3, tilt: { pitch: 40 } },
  'turned, tipped and rotated': { moduleSize: 3, tilt: { yaw: 30, pitch: 25, roll: 15 } },
  'upside down': { moduleSize: 3, tilt: { roll: 180 } },
  'low contrast (a dim screen in daylight)': { contrast: { dark: 125, light: 146 } },
  'low contrast and sensor noise': { contrast: { dark: 128, light: 143 }, noise: 4 },
  'a glare spot over 7% of the code': { glare: { x: 0.4, y: 0.4, radius: 0.15, strength: 1.5 } },
  'a grainy dark room (noise of 30 levels)': { noise: 30 },
  'far away (2.2 pixels per module, a little askew)': { moduleSize: 2.2, tilt: { roll: 4 } },
  'all at once, at 1280×720': {
    width: 1280,
    height: 720,
    moduleSize: 4,
    tilt: { yaw: 25, pitch: 10, roll: 8 },
    blur: 1.2,
    glare: { x: 0.6, y: 0.35, radius: 0.08, strength: 1.2 },
    noise: 8,
  },
}

/** Frames in which no decoder can find the code: the scanner must say it found none, not fail. */
export const HOPELESS_FRAMES: Readonly<Record<string, QrFrameOptions>> = {
  'blurred over more than a module': { blur: 5 },
  'seen almost edge-on (80°)': { moduleSize: 3, tilt: { yaw: 80 } },
  'washed out by glare over most of the code': { glare: { x: 0.5, y: 0.5, radius: 0.5, strength: 3 } },
  'one gray level of contrast, in noise': { contrast: { dark: 135, light: 136 }, noise: 3 },
  'smaller than a pixel per module': { moduleSize: 0.7 },
}

type Vec = [number, number, number]
const cross = (a: Vec, b: Vec): Vec => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]

/** The code plane's x and y axes after rolling it in its plane, then turning it by yaw and pitch. */
function planeAxes(yaw: number, pitch: number, roll: number): [Vec, Vec] {
  const rotate = (p: Vec): Vec => {
    // roll around z, yaw around y, pitch around x
    const [x1, y1, z1] = [p[0] * Math.cos(roll) - p[1] * Math.sin(roll), p[0] * Math.sin(roll) + p[1] * Math.cos(roll), p[2]]
    const [x2, y2, z2] = [x1 * Math.cos(yaw) + z1 * Math.sin(yaw), y1, -x1 * Math.sin(yaw) + z1 * Math.cos(yaw)]
    return [x2, y2 * Math.cos(pitch) - z2 * Math.sin(pitch), y2 * Math.sin(pitch) + z2 * Math.cos(pitch)]
  }
  return [rotate([1, 0, 0]), rotate([0, 1, 0])]
}

/** A separable Gaussian blur, edges clamped. */
function gaussianBlur(src: Float64Array, width: number, height: number, sigma: number): Float64Array {
  const radius = Math.ceil(sigma * 3)
  const kernel = Array.from({ length: radius * 2 + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)))
  const sum = kernel.reduce((a, b) => a + b, 0)
  const weights = kernel.map((k) => k / sum)
  const pass = (input: Float64Array, horizontal: boolean) => {
    const out = new Float64Array(input.length)
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let acc = 0
        for (let k = -radius; k <= radius; k++) {
          const sx = horizontal ? Math.min(width - 1, Math.max(0, x + k)) : x
          const sy = horizontal ? y : Math.min(height - 1, Math.max(0, y + k))
          acc += (input[sy * width + sx] ?? 0) * (weights[k + radius] ?? 0)
        }
        out[y * width + x] = acc
      }
    }
    return out
  }
  return pass(pass(src, true), false)
}

/** Standard normal numbers from a seeded generator (mulberry32 and Box-Muller). */
function gaussian(seed: number): () => number {
  let state = seed >>> 0
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
}
