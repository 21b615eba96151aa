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

export function field(model: string, name: string): Schema | undefined {
  return resolve(schemas[model]?.properties?.[name]);
}

export function enumOf(model: string, name: string): string[] | undefined {
  const f = field(model, name);
  return f?.enum ?? resolve(f?.items)?.enum;
}

export interface NumberRule {
  min?: number;
  max?: number;
  default?: number;
}

export function numberRule(model: string, name: string): NumberRule {
  const f = field(model, name);
  return {
    min: f?.minimum ?? f?.exclusiveMinimum,
    max: f?.maximum,
    default: typeof f?.default === "number" ? f.default : undefined,
  };
}

export const namePattern = new RegExp(field("ExperimentCreate", "name")?.pattern ?? "^.+$");
