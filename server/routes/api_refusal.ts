/** A request the server understood and refuses (not an authentication failure): code and status. */
export class ApiRefusal extends Error {
  override name = "ApiRefusal";
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}
