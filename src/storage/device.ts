/** This browser's device id, which every review-log row it records carries. */
import { deviceIdSchema } from '../srs/schemas';
import { DEVICE_ID_KEY, newDeviceId, type ResidualDb } from './db';

/**
 * The id stored in meta, made on first use. Call it inside a transaction that includes `meta` so
 * two tabs cannot each make one.
 */
export async function localDeviceId(db: ResidualDb): Promise<string> {
  const row = await db.meta.get(DEVICE_ID_KEY);
  const parsed = deviceIdSchema.safeParse(row?.value);
  if (parsed.success) return parsed.data;
  const deviceId = newDeviceId();
  await db.meta.put({ key: DEVICE_ID_KEY, value: deviceId });
  return deviceId;
}
