// The portal page on Apollo Server 5 over the same SQLite file, for bench/portal_page.py.
// VARIANT=dataloader: a resolver per relation, batched per request by DataLoader (the usual
// way); VARIANT=eager: the root resolver runs one SQL statement per relation and attaches
// the results (what a hand-tuned Apollo service does). Same SQL as the gateway and the floor.
// Ids are the gateway's sealed ids, read from a map the bench writes (AES-SIV is not in
// Node's crypto): a dictionary lookup, as the gateway's warm id cache is.
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import Database from "better-sqlite3";
import DataLoader from "dataloader";

const db = new Database(process.env.LAPOR_BENCH_FLOOR_DB, { readonly: true });
const sealed = JSON.parse(readFileSync(process.env.LAPOR_BENCH_SEALED_IDS, "utf8"));
const variant = process.env.VARIANT ?? "dataloader";

const typeDefs = `#graphql
  type Query { complaints(first: Int, filter: ComplaintFilter): ComplaintConnection! }
  input ComplaintFilter { region: String }
  type ComplaintConnection { edges: [ComplaintEdge!]! }
  type ComplaintEdge { node: Complaint! }
  type Complaint {
    id: ID! trackingId: String title: String! status: String! submittedAt: String!
    handlingAgency: Agency category: Category statusHistory: [StatusEvent!]
  }
  type Agency { code: String! name: String! }
  type Category { code: String! name: String! }
  type StatusEvent { fromStatus: String toStatus: String! at: String! }
`;

// SQLite keeps "2022-01-01 01:13:27.000000"; the gateway answers "2022-01-01T01:13:27".
const iso = (text) => {
  const t = text.replace(" ", "T");
  return t.endsWith(".000000") ? t.slice(0, -7) : t;
};
const placeholders = (n) => Array(n).fill("?").join(", ");
const page = db.prepare(
  "SELECT id, tracking_id, title, status, submitted_at, agency_code, category_code " +
    "FROM complaint WHERE regency_code = ? ORDER BY submitted_at DESC, id DESC LIMIT ?",
);
const statements = new Map();
const prepared = (sql) => {
  if (!statements.has(sql)) statements.set(sql, db.prepare(sql));
  return statements.get(sql);
};
const agencies = (codes) =>
  prepared(`SELECT code, name FROM agency WHERE code IN (${placeholders(codes.length)})`).all(codes);
const categories = (codes) =>
  prepared(`SELECT code, name FROM category WHERE code IN (${placeholders(codes.length)})`).all(
    codes,
  );
const events = (ids, region) =>
  prepared(
    "SELECT complaint_id, from_status, to_status, at FROM status_event WHERE complaint_id IN " +
      `(SELECT id FROM complaint WHERE id IN (${placeholders(ids.length)}) AND regency_code = ?) ` +
      "ORDER BY complaint_id, at, id",
  ).all([...ids, region]);

const byKey = (rows, key) => new Map(rows.map((row) => [row[key], row]));
const grouped = (ids, rows) => {
  const found = new Map(ids.map((id) => [id, []]));
  for (const row of rows) {
    found.get(row.complaint_id).push({ fromStatus: row.from_status, toStatus: row.to_status, at: iso(row.at) });
  }
  return found;
};
const node = (row) => ({
  id: sealed[row.id], raw_id: row.id, trackingId: row.tracking_id, title: row.title,
  status: row.status, submittedAt: iso(row.submitted_at), agency_code: row.agency_code,
  category_code: row.category_code,
});

function complaintsDataLoader(_, { first, filter }, context) {
  const region = filter.region;
  context.page.region = region; // a holder: Apollo copies the context object per operation
  return { edges: page.all(region, first + 1).slice(0, first).map((row) => ({ node: node(row) })) };
}

function complaintsEager(_, { first, filter }) {
  const region = filter.region;
  const rows = page.all(region, first + 1).slice(0, first);
  const ids = rows.map((row) => row.id);
  const agency = byKey(agencies([...new Set(rows.map((r) => r.agency_code))]), "code");
  const category = byKey(categories([...new Set(rows.map((r) => r.category_code))]), "code");
  const history = grouped(ids, events(ids, region));
  return {
    edges: rows.map((row) => ({
      node: {
        ...node(row),
        handlingAgency: agency.get(row.agency_code) ?? null,
        category: category.get(row.category_code) ?? null,
        statusHistory: history.get(row.id),
      },
    })),
  };
}

const resolvers =
  variant === "eager"
    ? { Query: { complaints: complaintsEager } }
    : {
        Query: { complaints: complaintsDataLoader },
        Complaint: {
          id: (c) => c.id,
          handlingAgency: (c, _, ctx) => ctx.agency.load(c.agency_code),
          category: (c, _, ctx) => ctx.category.load(c.category_code),
          statusHistory: (c, _, ctx) => ctx.history.load(c.raw_id),
        },
      };

const server = new ApolloServer({ typeDefs, resolvers, introspection: false });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(process.env.PORT) },
  context: async () => {
    const context = { page: { region: null } };
    context.agency = new DataLoader(async (codes) => {
      const found = byKey(agencies(codes), "code");
      return codes.map((code) => found.get(code) ?? null);
    });
    context.category = new DataLoader(async (codes) => {
      const found = byKey(categories(codes), "code");
      return codes.map((code) => found.get(code) ?? null);
    });
    context.history = new DataLoader(async (ids) => {
      const found = grouped(ids, events(ids, context.page.region));
      return ids.map((id) => found.get(id));
    });
    return context;
  },
});
console.error(`apollo ${variant} at ${url}`);
