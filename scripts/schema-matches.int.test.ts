// The hand-written migrations (prisma/migrations) must build exactly the database prisma/schema.prisma
// describes. Prisma's schema engine (`migrate diff`) cannot run here, so this reads the schema with
// Prisma's WASM parser (@prisma/get-dmmf) and compares it with the migrated test database's catalog:
// tables, columns (type, nullability, default), enums, primary keys, unique and plain indexes, and
// foreign keys. CHECK constraints, triggers and functions are beyond what a Prisma schema can say.
import { readFileSync } from "node:fs";
import path from "node:path";
import { getDMMF, type GetDMMFError } from "@prisma/get-dmmf";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";

type Datamodel = Exclude<ReturnType<typeof getDMMF>, GetDMMFError>["datamodel"];
type DmmfModel = Datamodel["models"][number];
type DmmfField = DmmfModel["fields"][number];

const SCHEMA_FILE = path.resolve(import.meta.dirname, "../prisma/schema.prisma");
/** Tables that exist without a model: Prisma's own bookkeeping. */
const UNMODELLED_TABLES = new Set(["_prisma_migrations"]);
/** Partial indexes, which a Prisma schema cannot say; each is named in a comment on its model. */
const SQL_ONLY_INDEXES = new Set(["subscriptions_one_live_plan"]);

function parseSchema(text: string): Datamodel {
  const result = getDMMF({ datamodel: text });
  if ("reason" in result) throw new Error(`prisma/schema.prisma does not parse: ${result.reason}`, { cause: result.error });
  return result.datamodel;
}

// ── what the database has ────────────────────────────────────────────────────────────────────────

interface Column {
  table: string;
  column: string;
  nullable: boolean;
  /** format_type() for ordinary types; `enum:<name>` (plus `[]`) for enums. */
  type: string;
  default: string | null;
}
interface Index {
  table: string;
  name: string;
  primary: boolean;
  unique: boolean;
  method: string;
  columns: string[];
  descending: boolean[];
  partial: boolean;
}
interface ForeignKey {
  table: string;
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
}
interface DatabaseShape {
  tables: string[];
  columns: Column[];
  enums: Map<string, string[]>;
  indexes: Index[];
  foreignKeys: ForeignKey[];
}

async function readDatabase(url: string): Promise<DatabaseShape> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`,
    );
    const columns = await client.query<Column>(
      `SELECT cl.relname AS table, a.attname AS column, NOT a.attnotnull AS nullable,
              CASE WHEN t.typtype = 'e' THEN 'enum:' || t.typname
                   WHEN et.typtype = 'e' THEN 'enum:' || et.typname || '[]'
                   ELSE format_type(a.atttypid, a.atttypmod) END AS type,
              pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_attribute a
       JOIN pg_class cl ON cl.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = cl.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typelem <> 0
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE n.nspname = 'public' AND cl.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
    );
    const enums = await client.query<{ name: string; values: string[] }>(
      `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = 'public' GROUP BY t.typname`,
    );
    const indexes = await client.query<Index>(
      `SELECT tc.relname AS table, ic.relname AS name, i.indisprimary AS primary, i.indisunique AS unique,
              am.amname AS method, i.indpred IS NOT NULL AS partial,
              ARRAY(SELECT COALESCE(a.attname::text, '(expression)')
                    FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                    LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                    WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) AS columns,
              ARRAY(SELECT (o.opt & 1) = 1 FROM unnest(i.indoption::int2[]) WITH ORDINALITY o(opt, ord)
                    WHERE o.ord <= i.indnkeyatts ORDER BY o.ord) AS descending
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class tc ON tc.oid = i.indrelid
       JOIN pg_am am ON am.oid = ic.relam
       JOIN pg_namespace n ON n.oid = tc.relnamespace
       WHERE n.nspname = 'public'`,
    );
    const foreignKeys = await client.query<ForeignKey>(
      `SELECT tc.relname AS table, con.conname AS name, rc.relname AS "refTable",
              ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
              ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS "refColumns",
              con.confdeltype AS "onDelete", con.confupdtype AS "onUpdate"
       FROM pg_constraint con
       JOIN pg_class tc ON tc.oid = con.conrelid
       JOIN pg_class rc ON rc.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = tc.relnamespace
       WHERE con.contype = 'f' AND n.nspname = 'public'`,
    );
    return {
      tables: tables.rows.map((r) => r.name),
      columns: columns.rows,
      enums: new Map(enums.rows.map((r) => [r.name, r.values])),
      indexes: indexes.rows,
      foreignKeys: foreignKeys.rows,
    };
  } finally {
    await client.end();
  }
}

// ── what the schema says the database should have ────────────────────────────────────────────────

const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
const columnOf = (field: DmmfField) => field.dbName ?? field.name;
const list = (names: readonly string[]) => `(${names.join(", ")})`;

/** PostgreSQL's format_type() spelling of a field's column type, as Prisma's migrations create it. */
function expectedType(field: DmmfField, datamodel: Datamodel): string {
  if (field.kind === "enum") {
    const enumDef = datamodel.enums.find((e) => e.name === field.type);
    return `enum:${enumDef?.dbName ?? field.type}${field.isList ? "[]" : ""}`;
  }
  const [native, args = []] = field.nativeType ?? [undefined, []];
  const arg = (fallback: string) => (args.length ? `(${args.join(",")})` : fallback);
  let base: string;
  switch (native ?? field.type) {
    case "String": case "Text": base = "text"; break;
    case "Uuid": base = "uuid"; break;
    case "VarChar": base = `character varying${arg("")}`; break;
    case "Char": base = `character${arg("(1)")}`; break;
    case "Citext": base = "citext"; break;
    case "Int": case "Integer": base = "integer"; break;
    case "SmallInt": base = "smallint"; break;
    case "BigInt": base = "bigint"; break;
    case "Boolean": base = "boolean"; break;
    case "Float": case "DoublePrecision": base = "double precision"; break;
    case "Real": base = "real"; break;
    case "Decimal": base = `numeric${arg("(65,30)")}`; break;
    case "DateTime": case "Timestamp": base = `timestamp${arg("(3)")} without time zone`; break;
    case "Timestamptz": base = `timestamp${arg("(3)")} with time zone`; break;
    case "Date": base = "date"; break;
    case "Json": case "JsonB": base = "jsonb"; break;
    case "Bytes": case "ByteA": base = "bytea"; break;
    default: base = `unsupported:${native ?? field.type}`;
  }
  return field.isList ? `${base}[]` : base;
}

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** pg_get_expr()'s spelling of the column default Prisma would create, or null for none. */
function expectedDefault(field: DmmfField, table: string, datamodel: Datamodel): string | null {
  const value = field.default;
  if (value === undefined) return null;
  if (Array.isArray(value)) {
    if (value.length > 0) return `unsupported list default ${JSON.stringify(value)}`;
    return `ARRAY[]::${expectedType(field, datamodel).replace(/^enum:(.*)\[\]$/, '"$1"[]')}`;
  }
  if (typeof value === "object" && value !== null && "name" in value) {
    switch (value.name) {
      case "dbgenerated": return String(value.args[0] ?? "");
      case "autoincrement": return `nextval('${table}_${columnOf(field)}_seq'::regclass)`;
      case "now": return "CURRENT_TIMESTAMP";
      default: return null; // uuid(), cuid(), nanoid(): generated by the client, no database default
    }
  }
  if (field.kind === "enum") {
    const enumDef = datamodel.enums.find((e) => e.name === field.type);
    return `${sqlString(String(value))}::"${enumDef?.dbName ?? field.type}"`;
  }
  if (["Int", "BigInt", "Float", "Decimal"].includes(field.type)) return String(value); // BigInt and Decimal come as strings
  if (typeof value === "string") {
    return `${sqlString(value)}::${expectedType(field, datamodel).replace(/\(.*$/, "")}`;
  }
  return String(value);
}

const FK_ACTIONS: Record<string, string> = { Cascade: "c", Restrict: "r", NoAction: "a", SetNull: "n", SetDefault: "d" };

/** Every way the database differs from the schema, one sentence each; empty when they match. */
function compareSchema(datamodel: Datamodel, database: DatabaseShape): string[] {
  const problems: string[] = [];
  const models = datamodel.models;
  const expectedTables = new Set(models.map(tableOf));

  for (const table of database.tables) {
    if (!expectedTables.has(table) && !UNMODELLED_TABLES.has(table)) problems.push(`table ${table} has no model in schema.prisma`);
  }

  for (const model of models) {
    const table = tableOf(model);
    if (!database.tables.includes(table)) {
      problems.push(`model ${model.name}: table ${table} is missing`);
      continue;
    }
    const fieldsByName = new Map(model.fields.map((f) => [f.name, f]));
    const columnName = (fieldName: string) => columnOf(fieldsByName.get(fieldName) ?? ({ name: fieldName } as DmmfField));

    // Columns.
    const columns = new Map(database.columns.filter((c) => c.table === table).map((c) => [c.column, c]));
    const scalarFields = model.fields.filter((f) => f.kind === "scalar" || f.kind === "enum");
    for (const field of scalarFields) {
      const name = columnOf(field);
      const where = `${table}.${name} (${model.name}.${field.name})`;
      const column = columns.get(name);
      if (!column) {
        problems.push(`${where}: column is missing`);
        continue;
      }
      const type = expectedType(field, datamodel);
      if (column.type !== type) problems.push(`${where}: type is ${column.type}, the schema says ${type}`);
      // Prisma creates list columns nullable whatever the field says; a scalar list is exempt.
      if (!field.isList && column.nullable === field.isRequired) {
        problems.push(`${where}: column is ${column.nullable ? "nullable" : "NOT NULL"}, the schema says ${field.isRequired ? "required" : "optional"}`);
      }
      const defaultExpr = expectedDefault(field, table, datamodel);
      if ((column.default ?? null) !== defaultExpr) {
        problems.push(`${where}: default is ${column.default ?? "none"}, the schema says ${defaultExpr ?? "none"}`);
      }
    }
    const known = new Set(scalarFields.map(columnOf));
    for (const column of columns.keys()) {
      if (!known.has(column)) problems.push(`${table}.${column}: column has no field in model ${model.name}`);
    }

    // Primary key, unique and plain indexes.
    const indexes = database.indexes.filter((i) => i.table === table);
    const matched = new Set<string>();
    for (const index of datamodel.indexes.filter((i) => i.model === model.name)) {
      if (index.type === "fulltext") {
        problems.push(`model ${model.name}: fulltext indexes are not checked here`);
        continue;
      }
      const cols = index.fields.map((f) => columnName(f.name));
      const descending = index.fields.map((f) => f.sortOrder === "desc");
      const method = (index.algorithm ?? "BTree").toLowerCase();
      const kind = index.type === "id" ? "primary key" : index.type === "unique" ? "unique index" : "index";
      const suffix = index.type === "id" ? "pkey" : index.type === "unique" ? "key" : "idx";
      const defaultName = index.type === "id" ? `${table}_pkey` : `${table}_${cols.join("_")}_${suffix}`;
      const name = index.dbName ?? defaultName;
      const found = indexes.find(
        (i) =>
          !matched.has(i.name) &&
          !i.partial &&
          i.primary === (index.type === "id") &&
          i.unique === (index.type !== "normal") &&
          i.method === method &&
          i.columns.join(",") === cols.join(",") &&
          i.descending.join(",") === descending.join(","),
      );
      if (!found) {
        problems.push(`${table}: no ${kind} on ${list(cols)}${method === "btree" ? "" : ` using ${method}`} for model ${model.name}`);
        continue;
      }
      matched.add(found.name);
      // Prisma truncates generated names to 63 characters; only exact names are compared.
      if (found.name !== name && name.length <= 63) problems.push(`${table}: the ${kind} on ${list(cols)} is named ${found.name}, Prisma expects ${name}`);
    }
    for (const index of indexes) {
      if (!matched.has(index.name) && !(index.partial && SQL_ONLY_INDEXES.has(index.name))) {
        problems.push(`${table}: index ${index.name} on ${list(index.columns)} is not in the schema${index.partial ? " (partial)" : ""}`);
      }
    }

    // Foreign keys, with Prisma's default referential actions where the schema names none.
    const foreignKeys = database.foreignKeys.filter((k) => k.table === table);
    const matchedKeys = new Set<string>();
    for (const relation of model.fields.filter((f) => f.kind === "object" && f.relationFromFields?.length)) {
      const target = models.find((m) => m.name === relation.type);
      if (!target) continue;
      const targetFields = new Map(target.fields.map((f) => [f.name, f]));
      const cols = relation.relationFromFields!.map(columnName);
      const refCols = (relation.relationToFields ?? []).map((n) => columnOf(targetFields.get(n) ?? ({ name: n } as DmmfField)));
      const optional = relation.relationFromFields!.some((n) => !fieldsByName.get(n)?.isRequired);
      const onDelete = FK_ACTIONS[relation.relationOnDelete ?? (optional ? "SetNull" : "Restrict")];
      const onUpdate = FK_ACTIONS[relation.relationOnUpdate ?? "Cascade"];
      const found = foreignKeys.find((k) => k.columns.join(",") === cols.join(",") && k.refTable === tableOf(target) && k.refColumns.join(",") === refCols.join(","));
      const what = `${table}: foreign key ${list(cols)} → ${tableOf(target)}${list(refCols)} (${model.name}.${relation.name})`;
      if (!found) {
        problems.push(`${what} is missing`);
        continue;
      }
      matchedKeys.add(found.name);
      if (found.onDelete !== onDelete) problems.push(`${what}: ON DELETE is '${found.onDelete}', the schema implies '${onDelete}'`);
      if (found.onUpdate !== onUpdate) problems.push(`${what}: ON UPDATE is '${found.onUpdate}', the schema implies '${onUpdate}'`);
      const name = `${table}_${cols.join("_")}_fkey`;
      if (found.name !== name && name.length <= 63) problems.push(`${what} is named ${found.name}, Prisma expects ${name}`);
    }
    for (const key of foreignKeys) {
      if (!matchedKeys.has(key.name)) problems.push(`${table}: foreign key ${key.name} ${list(key.columns)} → ${key.refTable} has no relation in the schema`);
    }
  }

  // Enums, by their database names and values.
  const expectedEnums = new Map(datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]));
  for (const [name, values] of expectedEnums) {
    const actual = database.enums.get(name);
    if (!actual) {
      problems.push(`enum ${name} is missing`);
      continue;
    }
    const missing = values.filter((v) => !actual.includes(v));
    const extra = actual.filter((v) => !values.includes(v));
    if (missing.length) problems.push(`enum ${name}: the database lacks ${missing.join(", ")}`);
    if (extra.length) problems.push(`enum ${name}: the database has ${extra.join(", ")}, which the schema does not`);
  }
  for (const name of database.enums.keys()) {
    if (!expectedEnums.has(name)) problems.push(`enum ${name} has no enum in schema.prisma`);
  }
  return problems;
}

// ── the tests ────────────────────────────────────────────────────────────────────────────────────

const schemaText = readFileSync(SCHEMA_FILE, "utf8");
let database: DatabaseShape;

beforeAll(async () => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (the test setup provides one per file)");
  database = await readDatabase(url);
});

/**
 * The schema text with `find` replaced (which must occur exactly once). When it does not occur as written,
 * runs of two or more spaces in `find` match any run of spaces, so `prisma format` re-aligning a model does not break the targets.
 */
function editSchema(find: string, replace: string): string {
  const exact = schemaText.split(find).length - 1;
  const source = exact > 0 ? find : find.split(/ {2,}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(" {2,}");
  const pattern = new RegExp(exact > 0 ? source.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : source, "g");
  const matches = [...schemaText.matchAll(pattern)];
  if (matches.length !== 1) throw new Error(`the test's edit target must occur once in schema.prisma: ${find}`);
  const at = matches[0]!.index;
  return schemaText.slice(0, at) + replace + schemaText.slice(at + matches[0]![0].length);
}

describe("the migrated database", () => {
  it("matches prisma/schema.prisma: tables, columns, enums, indexes and foreign keys", () => {
    expect(compareSchema(parseSchema(schemaText), database)).toEqual([]);
  });

  it("has every model's table and nothing else but _prisma_migrations", () => {
    const tables = parseSchema(schemaText).models.map(tableOf);
    expect([...database.tables].sort()).toEqual([...tables, "_prisma_migrations"].sort());
  });
});

describe("the comparison", () => {
  it.each([
    ["a field without a column", ["model User {\n", "model User {\n  nickname String?\n"], "users.nickname (User.nickname): column is missing"],
    ["a column without a field", ["  name         String?\n", ""], "users.name: column has no field in model User"],
    ["a required field on a nullable column", ["  name         String?\n", "  name         String\n"], "users.name (User.name): column is nullable, the schema says required"],
    ["a different type", ["  points Int     @default(0)", "  points BigInt  @default(0)"], "rate_limits.points (RateLimit.points): type is integer, the schema says bigint"],
    ["a different precision", ["  key    String  @id @db.VarChar(255)", "  key    String  @id @db.VarChar(200)"], "type is character varying(255), the schema says character varying(200)"],
    ["a different default", ["  enabled   Boolean      @default(true)", "  enabled   Boolean      @default(false)"], "providers.enabled (Provider.enabled): default is true, the schema says false"],
    ["a default the database lacks", ["  costMicros          BigInt      @map", "  costMicros          BigInt      @default(7) @map"], "usage_records.cost_micros (UsageRecord.costMicros): default is none, the schema says 7"],
    ["an enum value the database lacks", ["enum Role {\n  USER\n", "enum Role {\n  USER\n  AUDITOR\n"], "enum Role: the database lacks AUDITOR"],
    ["an index the database lacks", ['  @@map("users")', '  @@index([name])\n  @@map("users")'], "users: no index on (name) for model User"],
    ["a unique index that is a plain one", ["  @@index([status, expiresAt])", "  @@unique([status, expiresAt])"], "holds: no unique index on (status, expires_at)"],
    ["a table the schema does not map", ['  @@map("webhook_events")', '  @@map("webhooks")'], "table webhook_events has no model in schema.prisma"],
    ["a different referential action", ["  user          User          @relation(fields: [userId], references: [id], onDelete: Restrict)\n  ledgerEntries", "  user          User          @relation(fields: [userId], references: [id], onDelete: Cascade)\n  ledgerEntries"], "ON DELETE is 'r', the schema implies 'c'"],
  ])("reports %s", (_what, [find, replace], message) => {
    const problems = compareSchema(parseSchema(editSchema(find!, replace!)), database);
    expect(problems.some((p) => p.includes(message)), `expected "${message}" among:\n${problems.join("\n")}`).toBe(true);
  });
});
