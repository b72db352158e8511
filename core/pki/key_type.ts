/** Key types a project can ask for (`stockade.certs` arg `key_type`). */
export type KeyType = "ec-p256" | "rsa-2048";

/** Every supported `key_type` value, default first. */
export const KEY_TYPES: readonly KeyType[] = ["ec-p256", "rsa-2048"];
