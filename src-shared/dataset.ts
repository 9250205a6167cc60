// Dataset types that cross from the main process to the UI: the settings a
// user picks, the report of what will be trained on and what was skipped, and
// progress while a folder is read. Pure TypeScript + zod.

import { z } from 'zod'

const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #ffffff')

export const DatasetSettingsSchema = z.object({
  /** Side of the square training image, in pixels. */
  imageSize: z.number().int().min(8).max(512).default(32),
  /** 'center' crops the long side; 'pad' keeps the whole image and fills with `background`. */
  crop: z.enum(['center', 'pad']).default('center'),
  /** Colour that transparent pixels (and padding) are flattened onto. */
  background: hexColour.default('#ffffff'),
  /** Random horizontal flip when batches are assembled (does not change the cache). */
  flip: z.boolean().default(false),
  /** Draw every class equally often, whatever its image count. */
  classBalanced: z.boolean().default(false),
  /** Images with more pixels than this are skipped (decompression bombs). */
  pixelLimit: z.number().int().positive().default(100_000_000),
})
export type DatasetSettings = z.infer<typeof DatasetSettingsSchema>
export type DatasetSettingsInput = z.input<typeof DatasetSettingsSchema>

const SkipReasonSchema = z.enum([
  'zero-bytes',
  'unreadable', // truncated or corrupt
  'not-an-image', // named like an image, content is not
  'unsupported-format', // a real image format the decoder cannot read (e.g. BMP)
  'too-many-pixels',
  'permission-denied',
  'vanished', // listed by the scan, gone when it was decoded
  'broken-link',
  'symlink-loop',
  'already-included', // a second link to a folder that was already read
  'not-in-a-class-folder', // a loose file next to class folders (mixed layout)
  'other-file', // an extension that is not an image format
])
export type SkipReason = z.infer<typeof SkipReasonSchema>

const SkippedFileSchema = z.object({
  /** Relative to the dataset root, '/'-separated. */
  path: z.string(),
  reason: SkipReasonSchema,
  message: z.string(),
})
export type SkippedFile = z.infer<typeof SkippedFileSchema>

const WarningCodeSchema = z.enum(['mixed-layout', 'empty-class', 'few-images', 'imbalance', 'upscaled', 'grey-and-colour', 'duplicates', 'single-class'])
export type WarningCode = z.infer<typeof WarningCodeSchema>

const DatasetWarningSchema = z.object({
  code: WarningCodeSchema,
  message: z.string(),
  class: z.string().optional(),
})
export type DatasetWarning = z.infer<typeof DatasetWarningSchema>

const ClassSummarySchema = z.object({
  name: z.string(),
  count: z.number().int(),
  /** Median width and height of the source images, after EXIF orientation. */
  typicalWidth: z.number().int(),
  typicalHeight: z.number().int(),
  /** 1 when every image of the class is grey, else 3. */
  channels: z.union([z.literal(1), z.literal(3)]),
})
export type ClassSummary = z.infer<typeof ClassSummarySchema>

export const DatasetReportSchema = z.object({
  root: z.string(),
  /** classes: root/<class>/...; flat: images directly in root (unconditional); mixed: both. */
  layout: z.enum(['classes', 'flat', 'mixed']),
  /**
   * Trainable classes in label order (sorted by name, code point order). A flat
   * dataset has one entry named after the folder. Empty classes are not listed
   * here; they appear as 'empty-class' warnings.
   */
  classes: z.array(ClassSummarySchema),
  /** True when labels come from class folders (class-conditional training). */
  conditional: z.boolean(),
  totals: z.object({
    /** Every file the scan saw (hidden and system files excluded). */
    files: z.number().int(),
    images: z.number().int(),
    skipped: z.number().int(),
  }),
  skipped: z.array(SkippedFileSchema),
  warnings: z.array(DatasetWarningSchema),
  /** Groups of files with identical content ('/'-separated relative paths). */
  duplicates: z.array(z.array(z.string())),
  trainable: z.boolean(),
  channels: z.union([z.literal(1), z.literal(3)]),
  imageSize: z.number().int(),
  /** Changes whenever a file path, size, modification time or a preprocessing setting changes. */
  fingerprint: z.string(),
})
export type DatasetReport = z.infer<typeof DatasetReportSchema>

const ScanProgressSchema = z.object({
  /** scan: listing files; decode: reading images; cache: reading or writing the cache. */
  phase: z.enum(['scan', 'decode', 'cache']),
  /** Files handled so far in this phase. */
  done: z.number().int(),
  /** Files to handle in this phase; unknown (null) while scanning. */
  total: z.number().int().nullable(),
})
export type ScanProgress = z.infer<typeof ScanProgressSchema>
