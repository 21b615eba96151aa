// The create form's constraints, read from the served OpenAPI document (web/openapi.json, regenerated with the
// client by `make client`): enums, minimums, maximums and defaults. When the API declares more (the primary metrics
// a task allows, the algorithm names), the form picks them up from here without code changes.
import doc from "../../openapi.json";

type Schema = {
  type?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  default?: unknown;
  pattern?: string;
  description?: string;
  anyOf?: Schema[];
  items?: Schema;
  $ref?: string;
  properties?: Record<string, Schema>;
  "x-enum-by-task"?: Record<string, string[]>;
};

const schemas = (doc as unknown as { components: { schemas: Record<string, Schema> } }).components.schemas;

function resolve(s: Schema | undefined): Schema | undefined {
  if (!s) return undefined;
  if (s.$ref) return resolve(schemas[s.$ref.split("/").pop()!]);
  if (s.anyOf) {
    const real = s.anyOf.find((x) => x.type !== "null");
    return real ? { ...resolve(real), default: s.default, description: s.description } : s;
  }
  return s;
}

/** A model's schema; pydantic splits some into `-Input` / `-Output` (the request side is the one a form fills). */
const model = (name: string) => schemas[name] ?? schemas[`${name}-Input`];

export function field(modelName: string, name: string): Schema | undefined {
  const raw = model(modelName)?.properties?.[name];
  const resolved = resolve(raw);
  return raw?.["x-enum-by-task"] && resolved ? { ...resolved, "x-enum-by-task": raw["x-enum-by-task"] } : resolved;
}

/** The values a field takes for one task (`x-enum-by-task`), else its whole enum. */
export function enumByTask(modelName: string, name: string, task: string): string[] | undefined {
  const byTask = field(modelName, name)?.["x-enum-by-task"];
  return byTask?.[task] ?? enumOf(modelName, name);
}

export function enumOf(modelName: string, name: string): string[] | undefined {
  const f = field(modelName, name);
  return f?.enum ?? resolve(f?.items)?.enum;
}

export interface NumberRule {
  min?: number;
  max?: number;
  default?: number;
}

export function numberRule(modelName: string, name: string): NumberRule {
  const f = field(modelName, name);
  return {
    min: f?.minimum ?? f?.exclusiveMinimum,
    max: f?.maximum,
    default: typeof f?.default === "number" ? f.default : undefined,
  };
}

export const namePattern = new RegExp(field("ExperimentCreate", "name")?.pattern ?? "^.+$");
