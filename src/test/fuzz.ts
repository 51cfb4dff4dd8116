/**
 * Test support (never bundled) for the parsers' fuzz tests (`*.fuzz.test.ts`): fast-check
 * settings, the checks every parser must pass on any input, and arbitraries for hostile input.
 *
 * What every parser of outside input must do, on anything it is given:
 *  - throw nothing but a CareKeyError (anything else reaches the error boundary as a bug);
 *  - finish within a second of CPU time (see `CPU_BUDGET_MS`);
 *  - refuse a changed copy of a genuine input, or (where a part is not covered by integrity,
 *    such as whitespace around a JWE) read it as exactly the same thing.
 *
 * Runs are reproducible: every property starts from `FUZZ_SEED`, and on a failure fast-check
 * prints the seed, the path and the shrunk counterexample. `CAREKEY_FUZZ_SEED=<n>` explores
 * other inputs and `CAREKEY_FUZZ_RUNS=<factor>` runs more (or fewer) of them, for a longer
 * session by hand; CI uses the defaults. A counterexample that found a bug is kept as a plain
 * test beside the fuzz test.
 */
import fc from 'fast-check'
import { isCareKeyError, type CareKeyError } from '../domain/errors.ts'

/** The seed of every fuzz property (fixed, so that CI runs the same inputs every time). */
export const FUZZ_SEED = integerFromEnv('CAREKEY_FUZZ_SEED') ?? 20_261_213
const RUNS_FACTOR = numberFromEnv('CAREKEY_FUZZ_RUNS') ?? 1

/**
 * The most CPU time one parser call may take. Normal calls on the fuzzed inputs (up to about a
 * megabyte) take a few milliseconds, the largest a few tens. The time is the test process's own CPU time
 * (`process.cpuUsage`), not the wall clock, so other processes on a busy machine do not move it:
 * the check fails only on work far beyond normal (a regular expression that backtracks, a loop
 * that grows with the square of the input), which the issue's "never over a second" is about.
 */
export const CPU_BUDGET_MS = 1_000

/**
 * The wall-clock limit for one fuzz test. A property takes one to two seconds alone; a machine
 * shared with other work can stretch that several times over, and a slow parser is caught by
 * the CPU budget, not by this.
 */
export const FUZZ_TEST_TIMEOUT_MS = 60_000

/**
 * How long fast-check may look for a smaller counterexample after a failure. It bounds the
 * search, never the verdict: the property has already failed, and an interrupted search
 * reports the smallest counterexample found so far.
 */
const SHRINK_TIME_LIMIT_MS = 20_000

/**
 * Runs a property on `numRuns` inputs (scaled by CAREKEY_FUZZ_RUNS) from the fixed seed, and
 * fails the test with fast-check's report: the seed, the path and the shrunk counterexample.
 * An input over the CPU budget is reported at once, without shrinking: every shrinking step
 * would be slow too, and the first slow input already names the problem.
 *
 * @example
 * fuzzAssert(fc.property(anyText, (text) => { parseOutcome(() => decodeShlink(text)) }), 300)
 */
export function fuzzAssert<T>(property: fc.IProperty<T>, numRuns: number): void {
  const first = fc.check(property, { ...parameters(numRuns), endOnFailure: true })
  if (!first.failed) return
  reportOverBudget(first)
  fc.assert(property, shrinkParameters(numRuns, first))
  throw replayPassed(first)
}

/** `fuzzAssert` for an async property. */
export async function fuzzAssertAsync<T>(property: fc.IAsyncProperty<T>, numRuns: number): Promise<void> {
  const first = await fc.check(property, { ...parameters(numRuns), endOnFailure: true })
  if (!first.failed) return
  reportOverBudget(first)
  await fc.assert(property, shrinkParameters(numRuns, first))
  throw replayPassed(first)
}

function shrinkParameters<T>(numRuns: number, first: fc.RunDetails<T>): fc.Parameters<T> {
  return { ...parameters(numRuns), path: first.counterexamplePath ?? undefined, interruptAfterTimeLimit: SHRINK_TIME_LIMIT_MS, markInterruptAsFailure: true }
}

function replayPassed<T>(first: fc.RunDetails<T>): Error {
  return new Error(`the property failed (seed ${FUZZ_SEED}, path ${first.counterexamplePath ?? '?'}) but passed when replayed: it depends on more than its input`, {
    cause: first.errorInstance,
  })
}

function parameters(numRuns: number): { seed: number; numRuns: number } {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(numRuns * RUNS_FACTOR)) }
}

function reportOverBudget<T>(details: fc.RunDetails<T>): void {
  if (!(details.errorInstance instanceof OverBudgetError)) return
  const input = fc.stringify(details.counterexample)
  throw new Error(
    `${details.errorInstance.message} (seed ${FUZZ_SEED}, path ${details.counterexamplePath ?? '?'}), on this input ` +
      `(${input.length} characters as written by fast-check): ${input.length > 600 ? `${input.slice(0, 600)}…` : input}`,
    { cause: details.errorInstance },
  )
}

/** One call took more CPU time than CPU_BUDGET_MS. */
class OverBudgetError extends Error {}

/** What a parser did with one input: its result, or the CareKeyError it threw. */
export type Outcome<T> = { ok: true; value: T; cpuMs: number } | { ok: false; error: CareKeyError; cpuMs: number }

/**
 * Runs one parser call under the two checks that hold for any input: it throws nothing but a
 * CareKeyError, and it stays within `CPU_BUDGET_MS`. Throws (failing the property) otherwise.
 *
 * @example
 * const outcome = parseOutcome(() => decodeShlink(text))
 * if (outcome.ok) expect(outcome.value.payload.key).toHaveLength(43)
 */
export function parseOutcome<T>(parse: () => T): Outcome<T> {
  const start = process.cpuUsage()
  let outcome: { ok: true; value: T } | { ok: false; error: unknown }
  try {
    outcome = { ok: true, value: parse() }
  } catch (error) {
    outcome = { ok: false, error }
  }
  return judge(outcome, cpuMsSince(start))
}

/** `parseOutcome` for an async parser (decryption). */
export async function parseOutcomeAsync<T>(parse: () => Promise<T>): Promise<Outcome<T>> {
  const start = process.cpuUsage()
  let outcome: { ok: true; value: T } | { ok: false; error: unknown }
  try {
    outcome = { ok: true, value: await parse() }
  } catch (error) {
    outcome = { ok: false, error }
  }
  return judge(outcome, cpuMsSince(start))
}

function judge<T>(outcome: { ok: true; value: T } | { ok: false; error: unknown }, cpuMs: number): Outcome<T> {
  if (cpuMs > CPU_BUDGET_MS) throw new OverBudgetError(`one call took ${Math.round(cpuMs)} ms of CPU time; the budget is ${CPU_BUDGET_MS} ms`)
  if (outcome.ok) return { ...outcome, cpuMs }
  if (!isCareKeyError(outcome.error)) {
    const error = outcome.error
    const name = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    throw new Error(`threw ${name}, and a parser of outside input may throw only a CareKeyError`, { cause: error })
  }
  return { ok: false, error: outcome.error, cpuMs }
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

// ---------------------------------------------------------------------------------------------
// Hostile values

/** Property names that trip code treating JSON objects as plain dictionaries. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'] as const

/** Text of any kind: any code points (lone surrogates included), ASCII, control characters. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
  fc.constantFrom('', ' ', '\u0000', '\uFEFF', '\ud800', '\u202e', 'null', '{}', '[]', '"', '\\', '\r\n'),
)

/**
 * A long run of one character, with or without a different character at the end: the input
 * that makes a backtracking regular expression take time growing with the square (or worse) of
 * its length. 16 to 64 thousand characters: quadratic work there takes seconds, linear work
 * a fraction of a millisecond.
 */
export const longRun: fc.Arbitrary<string> = fc
  .record({
    unit: fc.constantFrom(' ', '\n', '\t', 'A', 'a', '0', '9', '=', '-', '_', '+', '/', '.', ':', 'T', 'é', '\\'),
    length: fc.integer({ min: 16_384, max: 65_536 }),
    tail: fc.constantFrom('', '!', '=', '==', ' !', '\u0000', 'Z'),
    head: fc.constantFrom('', '2024-01-01T', 'urn:uuid:', 'A'),
  })
  .map(({ unit, length, tail, head }) => head + unit.repeat(length) + tail)

/** A value nested `depth` levels deep, in arrays or objects. */
export function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 0
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value }
  return value
}

/**
 * A JSON token written as it is into `jsonText`'s output: numbers JSON.stringify cannot write
 * (`1e400` reads as Infinity, `-0`, integers beyond 2^53).
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON values a parser does not expect where it expects something else. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 3, arbitrary: anyText },
  {
    weight: 2,
    arbitrary: fc.constantFrom(null, true, false, 0, -0, -1, 1e308, -1e308, 2 ** 53, 2 ** 64, 0.1, -1e-300, [], {}, [[]], [null], '', ...PROTOTYPE_KEYS),
  },
  { weight: 1, arbitrary: fc.constantFrom('1e400', '-1e400', '-0', '123456789012345678901234567890', '1E-400').map((t) => new RawJson(t)) },
  // Huge, many and deep, made cheaply: generating them item by item would cost more than parsing them.
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 10_000, max: 100_000 }), fc.constantFrom('x', ' ', '0', 'é', '\u0000')).map(([n, c]) => c.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? {} : i % 3 === 1 ? 'x' : i))) },
  {
    weight: 1,
    arbitrary: fc.record({ depth: fc.integer({ min: 90, max: 20_000 }), kind: fc.constantFrom('array' as const, 'object' as const) }).map(({ depth, kind }) => nested(depth, kind)),
  },
)

/** A property name: an ordinary one, a prototype key, or any text. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), anyText, fc.constantFrom('resourceType', 'id', '_ck', 'entry', 'url', 'key'))

type Json = unknown
type PathStep = string | number

/**
 * Copies of a valid JSON value with one to three changes at places chosen among all of its
 * places: a property deleted, a value replaced by a hostile one (another type, huge, deeply
 * nested, odd text or numbers), or a property added (prototype keys such as `__proto__` among
 * them, as own properties, the way JSON.parse makes them). As JSON text, the form files and
 * links arrive in; `mutatedJson` gives the parsed value.
 *
 * @example
 * fc.property(mutatedJsonText(bundle), (text) => { parseOutcome(() => parseFhirImport(text)) })
 */
export function mutatedJsonText(valid: Json): fc.Arbitrary<string> {
  const places = placesOf(valid)
  const objectPlaces = places.filter((path) => isRecord(getAt(valid, path)))
  const anywhere = fc.record({
    place: fc.nat({ max: places.length - 1 }).map((i) => places[i] ?? []),
    kind: fc.constantFrom('delete', 'replace', 'add'),
    key: hostileKey,
    value: hostileValue,
  })
  // A prototype key on an object, holding an object (or null): what would change the
  // prototype of an object built with plain assignments from the parsed JSON.
  const prototypeKey = fc.record({
    place: fc.nat({ max: Math.max(0, objectPlaces.length - 1) }).map((i) => objectPlaces[i] ?? []),
    kind: fc.constant('add'),
    key: fc.constantFrom(...PROTOTYPE_KEYS),
    value: fc.oneof(fc.constant(null), fc.dictionary(hostileKey, hostileValue, { maxKeys: 3 }), fc.dictionary(fc.constantFrom(...Object.keys(isRecord(valid) ? valid : {}), '_ck', 'resourceType'), fc.jsonValue({ maxDepth: 1 }))),
  })
  const edit = objectPlaces.length > 0 ? fc.oneof({ weight: 4, arbitrary: anywhere }, { weight: 1, arbitrary: prototypeKey }) : anywhere
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    let value = structuredClone(valid)
    for (const e of edits) value = applyEdit(value, e.place, e)
    return jsonText(value)
  })
}

/**
 * `mutatedJsonText`, parsed: for parsers that take JSON already parsed.
 *
 * @example
 * fc.property(mutatedJson(bundle), (value) => { parseOutcome(() => parseFhirJson(value)) })
 */
export function mutatedJson(valid: Json): fc.Arbitrary<unknown> {
  return mutatedJsonText(valid).map((text): unknown => JSON.parse(text))
}

/**
 * JSON text for a value, written without recursion so that values nested tens of thousands of
 * levels deep (which JSON.stringify cannot write) become text too; own `__proto__` properties
 * are written like any other, and `RawJson` tokens as they are.
 *
 * @example
 * jsonText(nested(50_000, 'array')) // '[[[[…0…]]]]'
 */
export function jsonText(value: unknown): string {
  const out: string[] = []
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const item = stack.pop()
    if (item instanceof RawJson) {
      out.push(item.text)
    } else if (Array.isArray(item)) {
      out.push('[')
      stack.push(new RawJson(']'))
      for (let i = item.length - 1; i >= 0; i--) {
        stack.push(item[i] === undefined ? null : item[i])
        if (i > 0) stack.push(new RawJson(','))
      }
    } else if (isRecord(item)) {
      out.push('{')
      stack.push(new RawJson('}'))
      const entries = Object.entries(item).filter(([, v]) => v !== undefined)
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, v] = entries[i] ?? ['', null]
        stack.push(v)
        stack.push(new RawJson(`${JSON.stringify(key)}:`))
        if (i > 0) stack.push(new RawJson(','))
      }
    } else {
      out.push(JSON.stringify(item) ?? 'null')
    }
  }
  return out.join('')
}

function placesOf(value: Json, path: PathStep[] = [], out: PathStep[][] = []): PathStep[][] {
  out.push(path)
  if (Array.isArray(value)) value.forEach((item, i) => placesOf(item, [...path, i], out))
  else if (isRecord(value)) for (const [key, item] of Object.entries(value)) placesOf(item, [...path, key], out)
  return out
}

function applyEdit(root: Json, path: PathStep[], e: { kind: string; key: string; value: unknown }): Json {
  if (e.kind === 'add') {
    const target = getAt(root, path)
    if (isRecord(target)) defineOwn(target, e.key, e.value)
    else if (Array.isArray(target)) target.push(e.value)
    else return setAt(root, path, e.value)
    return root
  }
  if (path.length === 0) return e.kind === 'delete' ? undefined : e.value
  const parent = getAt(root, path.slice(0, -1))
  const last = path[path.length - 1] ?? 0
  if (Array.isArray(parent) && typeof last === 'number') {
    if (e.kind === 'delete') parent.splice(last, 1)
    else parent[last] = e.value
  } else if (isRecord(parent) && typeof last === 'string') {
    if (e.kind === 'delete') Reflect.deleteProperty(parent, last)
    else defineOwn(parent, last, e.value)
  }
  return root
}

function getAt(root: Json, path: PathStep[]): Json {
  let value = root
  for (const step of path) value = Array.isArray(value) || isRecord(value) ? (Reflect.get(value, step) as Json) : undefined
  return value
}

function setAt(root: Json, path: PathStep[], value: Json): Json {
  if (path.length === 0) return value
  const parent = getAt(root, path.slice(0, -1))
  const last = path[path.length - 1] ?? 0
  if (isRecord(parent) || Array.isArray(parent)) defineOwn(parent, last, value)
  return root
}

/** Sets an own property, even `__proto__`, as JSON.parse does (no setter, no prototype change). */
function defineOwn(target: object, key: PathStep, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// ---------------------------------------------------------------------------------------------
// Tampering with genuine inputs

/** One change to a text or a byte string, at a position taken modulo its length. */
export type Edit =
  | { op: 'replace'; at: number; unit: number }
  | { op: 'flip'; at: number; bit: number }
  | { op: 'insert'; at: number; unit: number }
  | { op: 'delete'; at: number; count: number }
  | { op: 'truncate'; at: number }
  | { op: 'append'; unit: number }

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('replace' as const), at: fc.nat(), unit: fc.nat({ max: 255 }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), unit: fc.nat({ max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('append' as const), unit: fc.nat({ max: 255 }) }) },
)

/** One to three edits: bytes or characters replaced, bits flipped, inserted, deleted, cut off, added. */
export const edits: fc.Arbitrary<Edit[]> = fc.array(edit, { minLength: 1, maxLength: 3 })

/**
 * Applies edits to bytes. The result may equal the original (a byte replaced by itself);
 * callers skip those with `fc.pre`.
 *
 * @example
 * const changed = tamperBytes(file, [{ op: 'flip', at: 100, bit: 0 }])
 */
export function tamperBytes(original: Uint8Array, list: readonly Edit[]): Uint8Array {
  const bytes = [...original]
  for (const e of list) applyTo(bytes, e, (unit) => unit)
  return Uint8Array.from(bytes)
}

/**
 * Applies edits to a text, one UTF-16 unit at a time; replaced and inserted characters are
 * printable ASCII half the time (so that base64url stays base64url) and any unit otherwise.
 *
 * @example
 * const changed = tamperText(link, [{ op: 'replace', at: 40, unit: 65 }])
 */
export function tamperText(original: string, list: readonly Edit[]): string {
  const chars = original.split('')
  for (const e of list) applyTo(chars, e, toChar)
  return chars.join('')
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
function toChar(unit: number): string {
  // Mostly characters of the same alphabet: those get past the first checks and reach the crypto.
  if (unit < 192) return BASE64URL[unit % 64] ?? 'A'
  return String.fromCharCode(unit < 224 ? unit - 192 + 32 : [0x2e, 0x20, 0x3d, 0x0a, 0xd800, 0x7b, 0x22, 0x25][unit % 8] ?? 0x2e)
}

function applyTo<T>(items: T[], e: Edit, make: (unit: number) => T): void {
  const at = (n: number, extra = 0) => (items.length + extra === 0 ? 0 : n % (items.length + extra))
  switch (e.op) {
    case 'replace':
      if (items.length > 0) items[at(e.at)] = make(e.unit)
      break
    case 'flip': {
      if (items.length === 0) break
      const i = at(e.at)
      const item = items[i]
      if (typeof item === 'number') items[i] = (item ^ (1 << e.bit)) as T
      else if (typeof item === 'string') items[i] = String.fromCharCode(item.charCodeAt(0) ^ (1 << e.bit)) as T
      break
    }
    case 'insert':
      items.splice(at(e.at, 1), 0, make(e.unit))
      break
    case 'delete':
      if (items.length > 0) items.splice(at(e.at), e.count)
      break
    case 'truncate':
      items.length = at(e.at)
      break
    case 'append':
      items.push(make(e.unit))
      break
  }
}

function integerFromEnv(name: string): number | undefined {
  const value = numberFromEnv(name)
  return value === undefined ? undefined : Math.trunc(value)
}

function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, it is "${raw}"`)
  return value
}
