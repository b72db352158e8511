const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Whether `s` is a job id as the server assigns them: a lowercase uuid4 (`jobs.md` §5, §6). */
export function isJobId(s: string): boolean {
  return UUID4.test(s);
}
