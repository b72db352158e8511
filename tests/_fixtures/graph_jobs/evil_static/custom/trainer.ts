// Reads another site's data through the module loader, which does not apply --allow-read.
import stolen from "../../outside/secret.json" with { type: "json" };

export default function train(): unknown {
  return stolen;
}
