// JSON-lines driver around ts-mls 1.6.4: the other side of Ockam.NET's MLS interop tests.
//
// One request object per stdin line, one response object per stdout line, in order. Binary values are
// lowercase hex. State (clients and their groups) lives in memory for the life of the process. The
// protocol is described in README.md beside this file. Nothing but responses is written to stdout, so a
// diagnostic goes to stderr, which the C# side shows when a call fails or times out.
import { createInterface } from "node:readline";
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  joinGroup,
  processMessage,
  acceptAll,
  getCiphersuiteImpl,
  getCiphersuiteFromName,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  generateKeyPackage,
  encodeMlsMessage,
  decodeMlsMessage,
  mlsExporter,
  ciphersuites,
  zeroOutUint8Array,
} from "ts-mls";
// Not re-exported by the package's index, but reachable through its "./*.js" export map.
import { defaultClientConfig } from "ts-mls/clientConfig.js";
import { encodeRatchetTree, decodeRatchetTree } from "ts-mls/ratchetTree.js";
import { greaseCapabilities } from "ts-mls/grease.js";

// RFC 9420 ciphersuite 0x0001, the only one Ockam.NET speaks.
const SUITE = "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519";
const impl = await getCiphersuiteImpl(getCiphersuiteFromName(SUITE));

// The interop tests' authentication service: a peer is a basic credential with a non-empty identity.
// ts-mls calls this for every leaf it validates (key packages, trees on join, update paths), so a
// credential of any other type is refused rather than silently trusted (ts-mls's default accepts all).
const authService = {
  async validateCredential(credential, signaturePublicKey) {
    return (
      credential.credentialType === "basic" &&
      credential.identity instanceof Uint8Array &&
      credential.identity.length > 0 &&
      signaturePublicKey instanceof Uint8Array &&
      signaturePublicKey.length === 32
    );
  },
};
const clientConfig = { ...defaultClientConfig, authService };

// ts-mls's defaultCapabilities() adds each of the 15 RFC 9420 §13.5 GREASE values to the ciphersuite,
// credential, extension and proposal lists with probability 0.1, so its key packages differ run to run.
// A test picks: "random" (what ts-mls does by itself), "none", or "all" (every GREASE value in every list),
// so that a decoder's handling of GREASE is tested on purpose, not by chance.
function capabilities(mode) {
  if (mode === undefined || mode === "random") return defaultCapabilities();
  if (mode !== "none" && mode !== "all") throw new Error(`grease must be "random", "none" or "all"`);
  return greaseCapabilities(
    { probabilityPerGreaseValue: mode === "all" ? 1 : 0 },
    { versions: ["mls10"], ciphersuites: Object.keys(ciphersuites), extensions: [], proposals: [], credentials: ["basic", "x509"] },
  );
}

// Handshakes go out as PrivateMessage unless a request asks for PublicMessage (RFC 9420 §6.2 allows
// either for commits; application messages are always private).
function wireAsPublicMessage(req) {
  if (req.public_message === undefined) return false;
  if (typeof req.public_message !== "boolean") throw new Error("public_message must be a boolean");
  return req.public_message;
}

/** name -> { identity, publicPackage, privatePackage, state } */
const clients = new Map();

function hex(bytes) {
  return Buffer.from(bytes).toString("hex");
}

function unhex(value, field) {
  if (typeof value !== "string" || !/^([0-9a-fA-F]{2})*$/.test(value))
    throw new Error(`${field} must be a hex string`);
  return new Uint8Array(Buffer.from(value, "hex"));
}

function need(req, field, type = "string") {
  if (typeof req[field] !== type) throw new Error(`missing or invalid field '${field}' (${type})`);
  return req[field];
}

function client(req) {
  const name = need(req, "name");
  const c = clients.get(name);
  if (c === undefined) throw new Error(`no client '${name}'`);
  return c;
}

function group(req) {
  const c = client(req);
  if (c.state === undefined) throw new Error(`client '${req.name}' is in no group`);
  return c;
}

// Decodes a whole MLSMessage and insists that nothing trails it: a decoder that stopped early would
// let a tampered or truncated message pass as its prefix.
function decodeMessage(bytes, wireformat) {
  const decoded = decodeMlsMessage(bytes, 0);
  if (decoded === undefined) throw new Error("could not decode MLSMessage");
  const [message, end] = decoded;
  if (end !== bytes.length) throw new Error(`MLSMessage has ${bytes.length - end} trailing bytes`);
  if (wireformat !== undefined && message.wireformat !== wireformat)
    throw new Error(`expected ${wireformat}, got ${message.wireformat}`);
  return message;
}

function encodeTree(state) {
  return encodeRatchetTree(state.ratchetTree);
}

// The keys ts-mls hands back as "consumed" are spent (old epoch secrets, used ratchet keys); the
// library leaves wiping them to the caller, and a driver should behave like a careful one.
function consume(result) {
  result.consumed.forEach(zeroOutUint8Array);
}

function members(state) {
  const out = [];
  state.ratchetTree.forEach((node, nodeIndex) => {
    if (nodeIndex % 2 === 0 && node !== undefined && node.nodeType === "leaf") {
      const cred = node.leaf.credential;
      out.push({
        leaf_index: nodeIndex / 2,
        credential_type: cred.credentialType,
        identity: cred.credentialType === "basic" ? hex(cred.identity) : null,
        signature_key: hex(node.leaf.signaturePublicKey),
      });
    }
  });
  return out;
}

const ops = {
  async new_client(req) {
    const name = need(req, "name");
    if (clients.has(name)) throw new Error(`client '${name}' exists`);
    const identity = unhex(need(req, "identity_hex"), "identity_hex");
    const credential = { credentialType: "basic", identity };
    const kp = await generateKeyPackage(credential, capabilities(req.grease), defaultLifetime, [], impl);
    clients.set(name, { identity, publicPackage: kp.publicPackage, privatePackage: kp.privatePackage, state: undefined });
    const keyPackage = encodeMlsMessage({ version: "mls10", wireformat: "mls_key_package", keyPackage: kp.publicPackage });
    return { key_package: hex(keyPackage) };
  },

  async create_group(req) {
    const c = client(req);
    if (c.state !== undefined) throw new Error(`client '${req.name}' already has a group`);
    const groupId = unhex(need(req, "group_id_hex"), "group_id_hex");
    c.state = await createGroup(groupId, c.publicPackage, c.privatePackage, [], impl, clientConfig);
    return { epoch: Number(c.state.groupContext.epoch) };
  },

  async add(req) {
    const c = group(req);
    const kpMessage = decodeMessage(unhex(need(req, "key_package"), "key_package"), "mls_key_package");
    const ratchetTreeExtension = req.ratchet_tree_extension === true;
    const result = await createCommit(
      { state: c.state, cipherSuite: impl },
      {
        extraProposals: [{ proposalType: "add", add: { keyPackage: kpMessage.keyPackage } }],
        ratchetTreeExtension,
        wireAsPublicMessage: wireAsPublicMessage(req),
      },
    );
    if (result.welcome === undefined) throw new Error("ts-mls made no Welcome for an Add");
    c.state = result.newState;
    consume(result);
    return {
      commit: hex(encodeMlsMessage(result.commit)),
      welcome: hex(encodeMlsMessage({ version: "mls10", wireformat: "mls_welcome", welcome: result.welcome })),
      ratchet_tree: hex(encodeTree(c.state)),
      epoch: Number(c.state.groupContext.epoch),
    };
  },

  async join(req) {
    const c = client(req);
    if (c.state !== undefined) throw new Error(`client '${req.name}' already has a group`);
    const welcome = decodeMessage(unhex(need(req, "welcome"), "welcome"), "mls_welcome");
    const treeBytes = req.ratchet_tree === undefined ? new Uint8Array() : unhex(req.ratchet_tree, "ratchet_tree");
    let tree;
    if (treeBytes.length > 0) {
      const decoded = decodeRatchetTree(treeBytes, 0);
      if (decoded === undefined) throw new Error("could not decode ratchet_tree");
      if (decoded[1] !== treeBytes.length) throw new Error("ratchet_tree has trailing bytes");
      tree = decoded[0];
    }
    // With no tree given, ts-mls takes it from the GroupInfo's ratchet_tree extension, or fails.
    c.state = await joinGroup(welcome.welcome, c.publicPackage, c.privatePackage, emptyPskIndex, impl, tree, undefined, clientConfig);
    return { epoch: Number(c.state.groupContext.epoch), leaf_index: c.state.privatePath.leafIndex };
  },

  async update(req) {
    const c = group(req);
    // A commit with no proposals must carry an UpdatePath (RFC 9420 §12.4), and ts-mls adds one.
    const result = await createCommit({ state: c.state, cipherSuite: impl }, { wireAsPublicMessage: wireAsPublicMessage(req) });
    c.state = result.newState;
    consume(result);
    return { commit: hex(encodeMlsMessage(result.commit)), epoch: Number(c.state.groupContext.epoch) };
  },

  async remove(req) {
    const c = group(req);
    const leafIndex = need(req, "leaf_index", "number");
    if (!Number.isInteger(leafIndex) || leafIndex < 0) throw new Error("leaf_index must be a non-negative integer");
    const result = await createCommit(
      { state: c.state, cipherSuite: impl },
      { extraProposals: [{ proposalType: "remove", remove: { removed: leafIndex } }], wireAsPublicMessage: wireAsPublicMessage(req) },
    );
    c.state = result.newState;
    consume(result);
    return { commit: hex(encodeMlsMessage(result.commit)), epoch: Number(c.state.groupContext.epoch) };
  },

  async send(req) {
    const c = group(req);
    const plaintext = unhex(need(req, "plaintext_hex"), "plaintext_hex");
    const result = await createApplicationMessage(c.state, plaintext, impl);
    c.state = result.newState;
    consume(result);
    const message = encodeMlsMessage({ version: "mls10", wireformat: "mls_private_message", privateMessage: result.privateMessage });
    return { message: hex(message) };
  },

  async process(req) {
    const c = group(req);
    const message = decodeMessage(unhex(need(req, "message"), "message"));
    if (message.wireformat !== "mls_private_message" && message.wireformat !== "mls_public_message")
      throw new Error(`cannot process a ${message.wireformat}`);
    // ts-mls's states are immutable values: on a throw c.state is untouched, so a refused message
    // leaves the member able to read the next good one.
    const result = await processMessage(message, c.state, emptyPskIndex, acceptAll, impl);
    c.state = result.newState;
    consume(result);
    if (result.kind === "applicationMessage") return { kind: "application", plaintext: hex(result.message) };
    return {
      kind: "commit",
      epoch: Number(c.state.groupContext.epoch),
      removed: c.state.groupActiveState.kind === "removedFromGroup",
    };
  },

  async state(req) {
    const c = group(req);
    const s = c.state;
    return {
      group_id: hex(s.groupContext.groupId),
      epoch: Number(s.groupContext.epoch),
      own_leaf_index: s.privatePath.leafIndex,
      active: s.groupActiveState.kind,
      members: members(s),
      epoch_authenticator: hex(s.keySchedule.epochAuthenticator),
      tree_hash: hex(s.groupContext.treeHash),
      confirmed_transcript_hash: hex(s.groupContext.confirmedTranscriptHash),
      ratchet_tree: hex(encodeTree(s)),
    };
  },

  async export(req) {
    const c = group(req);
    const label = need(req, "label");
    const context = unhex(need(req, "context_hex"), "context_hex");
    const length = need(req, "length", "number");
    if (!Number.isInteger(length) || length < 0 || length > 65535) throw new Error("length must be an integer in 0..65535");
    const secret = await mlsExporter(c.state.keySchedule.exporterSecret, label, context, length, impl);
    return { secret: hex(secret) };
  },
};

async function handle(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: `bad JSON: ${e.message}` };
  }
  const id = req !== null && typeof req === "object" ? req.id : undefined;
  try {
    const op = req?.op;
    if (typeof op !== "string" || !Object.hasOwn(ops, op)) throw new Error(`unknown op '${op}'`);
    const body = await ops[op](req);
    return id === undefined ? { ok: true, ...body } : { id, ok: true, ...body };
  } catch (e) {
    const error = `${e?.name ?? "Error"}: ${e?.message ?? String(e)}`;
    process.stderr.write(`driver: ${req?.op} failed: ${e?.stack ?? error}\n`);
    return id === undefined ? { ok: false, error } : { id, ok: false, error };
  }
}

// Requests are handled one at a time, in order: each op reads and replaces a client's state, so two
// in flight could lose an epoch.
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
let chain = Promise.resolve();
rl.on("line", (line) => {
  if (line.trim() === "") return;
  chain = chain.then(async () => {
    const response = await handle(line);
    process.stdout.write(JSON.stringify(response) + "\n");
  });
});
rl.on("close", () => {
  chain.then(() => process.exit(0));
});
process.stdout.write(JSON.stringify({ ok: true, ready: true, ts_mls: "1.6.4", suite: SUITE }) + "\n");
