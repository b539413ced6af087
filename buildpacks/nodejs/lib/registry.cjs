#!/usr/bin/env node
// Helpers for the Node.js buildpack, run by whatever node is at hand (the host's, a
// cached one, or a bootstrap download): plain CommonJS, no dependencies.
//
//   resolve-node METADATA RANGE          → "VERSION INTEGRITY" (exit 3 + nearest versions when none matches)
//   resolve-npm METADATA RANGE NODE      → "VERSION INTEGRITY" for the npm package (no range: the line bundled with NODE)
//   field PACKAGE_JSON a.b.c             → the string at that path, or nothing
//   fields PACKAGE_JSON PATH...          → each path's string as `field` gives it, each followed by NUL
//   satisfies VERSION RANGE              → exit 0 or 1
//   valid-range RANGE                    → exit 0 or 1
//   point-yarn-lock YARN_LOCK REGISTRY   → rewrites the public registries' URLs in yarn.lock to REGISTRY
'use strict';

const fs = require('fs');

// ---- versions -------------------------------------------------------------

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parseVersion(text) {
  const match = VERSION.exec(String(text).trim());
  if (!match) return null;
  return { major: +match[1], minor: +match[2], patch: +match[3], pre: match[4] || '', text: `${+match[1]}.${+match[2]}.${+match[3]}${match[4] ? `-${match[4]}` : ''}` };
}

function compare(a, b) {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

// ---- ranges (node-semver's grammar, without prerelease matching) --------------

const X = /^(?:x|X|\*)$/;

function parsePartial(text) {
  const match = /^v?=?\s*([0-9]+|x|X|\*)(?:\.([0-9]+|x|X|\*)(?:\.([0-9]+|x|X|\*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)?)?$/.exec(text);
  if (!match) throw new Error(`invalid version "${text}"`);
  const parts = [match[1], match[2], match[3]].map((part) => (part === undefined || X.test(part) ? null : +part));
  // Once a part is a wildcard, the rest are too.
  for (let i = 1; i < 3; i++) if (parts[i - 1] === null) parts[i] = null;
  return { major: parts[0], minor: parts[1], patch: parts[2] };
}

const v = (major, minor, patch) => ({ major, minor, patch });
const ANY = [];
const NONE = [['<', v(0, 0, 0)]];

function lowerOf(p) {
  return v(p.major || 0, p.minor || 0, p.patch || 0);
}

/** The exclusive upper bound of a partial: 1 → 2.0.0, 1.2 → 1.3.0, 1.2.3 → 1.2.4 (for <=). */
function nextOf(p) {
  if (p.minor === null) return v(p.major + 1, 0, 0);
  if (p.patch === null) return v(p.major, p.minor + 1, 0);
  return v(p.major, p.minor, p.patch + 1);
}

function desugar(token) {
  let match = /^(<=|>=|<|>|=)?(.*)$/.exec(token);
  let op = match[1] || '';
  let rest = match[2];
  if (!op && (rest[0] === '~' || rest[0] === '^')) {
    op = rest[0];
    rest = rest.slice(1).replace(/^>/, '');
  }
  if (rest === '' && op === '') return ANY;
  const p = parsePartial(rest);
  if (p.major === null) return op === '<' || op === '>' ? NONE : ANY;
  const low = lowerOf(p);
  switch (op) {
    case '':
    case '=':
      return p.patch === null ? [['>=', low], ['<', nextOf(p)]] : [['=', low]];
    case '>':
      return p.patch === null ? [['>=', nextOf(p)]] : [['>', low]];
    case '>=':
      return [['>=', low]];
    case '<':
      return [['<', low]];
    case '<=':
      return p.patch === null ? [['<', nextOf(p)]] : [['<=', low]];
    case '~':
      return [['>=', low], ['<', p.minor === null ? v(p.major + 1, 0, 0) : v(p.major, p.minor + 1, 0)]];
    case '^': {
      let high;
      if (p.major > 0 || p.minor === null) high = v(p.major + 1, 0, 0);
      else if (p.minor > 0 || p.patch === null) high = v(0, p.minor + 1, 0);
      else high = v(0, 0, p.patch + 1);
      return [['>=', low], ['<', high]];
    }
    default:
      throw new Error(`invalid comparator "${token}"`);
  }
}

/** A range as a list of alternatives, each a list of [operator, version] comparators. */
function parseRange(text) {
  return String(text)
    .split('||')
    .map((alternative) => {
      const spaced = alternative.trim().replace(/(<=|>=|<|>|=|~|\^)\s+/g, '$1');
      const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(spaced);
      if (hyphen) {
        const from = parsePartial(hyphen[1]);
        const to = parsePartial(hyphen[2]);
        const low = from.major === null ? ANY : [['>=', lowerOf(from)]];
        const high = to.major === null ? ANY : to.patch === null ? [['<', nextOf(to)]] : [['<=', lowerOf(to)]];
        return low.concat(high);
      }
      if (spaced === '') return ANY;
      return spaced.split(/\s+/).reduce((all, token) => all.concat(desugar(token)), []);
    });
}

function test(version, [op, bound]) {
  const c = compare(version, bound);
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : op === '>=' ? c >= 0 : c === 0;
}

function satisfies(version, range) {
  if (version.pre) return false;
  return range.some((alternative) => alternative.every((comparator) => test(version, comparator)));
}

// ---- registry metadata -------------------------------------------------------

function readMetadata(file) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  const entries = Object.keys(doc.versions || {})
    .map((key) => ({ version: parseVersion(key), meta: doc.versions[key] }))
    .filter((entry) => entry.version && !entry.version.pre && entry.meta && entry.meta.dist && !entry.meta.deprecated)
    .sort((a, b) => compare(b.version, a.version));
  return entries;
}

function integrityOf(meta) {
  return meta.dist.integrity || (meta.dist.shasum ? `sha1-${Buffer.from(meta.dist.shasum, 'hex').toString('base64')}` : '-');
}

function highest(entries, range) {
  return entries.find((entry) => satisfies(entry.version, range));
}

/** Newest versions around the first version a range names, for "did you mean". */
function nearest(entries, text) {
  const anchorText = (/\d+(\.\d+)?(\.\d+)?/.exec(text) || ['0'])[0];
  const anchor = parsePartial(anchorText);
  const majors = [...new Set(entries.map((entry) => entry.version.major))]
    .sort((a, b) => Math.abs(a - anchor.major) - Math.abs(b - anchor.major) || b - a)
    .slice(0, 4)
    .sort((a, b) => b - a);
  return majors.map((major) => entries.find((entry) => entry.version.major === major).version.text);
}

function resolveNode(file, rangeText) {
  const entries = readMetadata(file);
  let text = rangeText.trim();
  if (text === '') {
    // No engines.node: the newest LTS line, i.e. the highest even major.
    const even = entries.find((entry) => entry.version.major % 2 === 0);
    if (!even) fail(3, 'no even major version is published');
    text = `${even.version.major}.x`;
  }
  const found = highest(entries, parseRange(text));
  if (!found) fail(3, nearest(entries, text).join(', '));
  console.log(`${found.version.text} ${integrityOf(found.meta)}`);
}

/**
 * The npm line each Node.js line ships with, for node releases the table of exact
 * versions (bundled-npm.json) does not list yet: the newest release of that line, as
 * close to "the npm bundled with node" as the registry allows (same major, same install
 * behaviour). A line newer than this table gets the last line in it that supports it.
 */
const BUNDLED_NPM = [
  [12, '6.x'],
  [14, '6.x'],
  [16, '8.x'],
  [18, '10.x'],
  [20, '10.x'],
  [22, '10.x'],
  [23, '10.x'],
  [24, '11.x'],
  [25, '11.x'],
  [26, '11.x'],
];

function bundledNpmRange(node) {
  let line = BUNDLED_NPM[0][1];
  for (const [major, range] of BUNDLED_NPM) if (node.major >= major) line = range;
  return line;
}

let bundledTable;
/** The npm version shipped with this exact node release, from bundled-npm.json; undefined when not listed. */
function bundledNpmVersion(node) {
  if (bundledTable === undefined) bundledTable = JSON.parse(fs.readFileSync(require('path').join(__dirname, 'bundled-npm.json'), 'utf8')).npm;
  const { major, minor, patch } = node;
  return bundledTable[`${major}.${minor}.${patch}`] || bundledTable[`${major}.${minor}`];
}

function supportsNode(entry, node) {
  return entry.meta.engines && typeof entry.meta.engines.node === 'string' ? satisfiesText(node, entry.meta.engines.node) : true;
}

/** Prints "VERSION INTEGRITY SOURCE": SOURCE is engines (asked for), bundled (the exact one node ships) or line. */
function resolveNpm(file, rangeText, nodeText) {
  const entries = readMetadata(file);
  const node = parseVersion(nodeText);
  let found;
  let source = 'engines';
  if (rangeText.trim() !== '') found = highest(entries, parseRange(rangeText));
  else {
    const exact = node && bundledNpmVersion(node);
    if (exact) {
      found = entries.find((entry) => entry.version.text === exact);
      source = 'bundled';
    }
    if (!found) {
      // The npm line bundled with this node; failing that, the newest npm that supports it.
      source = 'line';
      const line = parseRange(bundledNpmRange(node));
      found = entries.find((entry) => satisfies(entry.version, line) && supportsNode(entry, node));
      if (!found) found = entries.find((entry) => entry.meta.engines && typeof entry.meta.engines.node === 'string' && satisfiesText(node, entry.meta.engines.node));
    }
  }
  if (!found) fail(3, nearest(entries, rangeText || '0').join(', '));
  console.log(`${found.version.text} ${integrityOf(found.meta)} ${source}`);
}

function satisfiesText(version, text) {
  try {
    return satisfies(version, parseRange(text));
  } catch (error) {
    return false;
  }
}

// ---- main ------------------------------------------------------------------

function fail(code, message) {
  process.stdout.write(`${message}\n`);
  process.exit(code);
}

function fieldText(json, path) {
  let value = json;
  for (const key of path.split('.')) {
    value = value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
  }
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  // A list of strings (cacheDirectories) as one line each.
  if (Array.isArray(value)) return value.filter((item) => typeof item === 'string' && !item.includes('\n')).join('\n');
  if (value !== undefined && value !== null && typeof value === 'object') return Object.keys(value).length > 0 ? 'object' : '';
  return '';
}

function field(file, path) {
  process.stdout.write(fieldText(JSON.parse(fs.readFileSync(file, 'utf8')), path));
}

function fields(file, paths) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  process.stdout.write(paths.map((path) => `${fieldText(json, path)}\0`).join(''));
}

/** yarn 1 fetches the URLs yarn.lock names: the public registries' are pointed at REGISTRY. */
function pointYarnLock(file, registry) {
  const base = registry.replace(/\/+$/, '');
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, text.replace(/"https:\/\/registry\.(?:yarnpkg\.com|npmjs\.org)\//g, () => `"${base}/`));
}

function main(argv) {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'resolve-node':
        return resolveNode(args[0], args[1] || '');
      case 'resolve-npm':
        return resolveNpm(args[0], args[1] || '', args[2] || '0.0.0');
      case 'field':
        return field(args[0], args[1]);
      case 'fields':
        return fields(args[0], args.slice(1));
      case 'satisfies': {
        const version = parseVersion(args[0]);
        return process.exit(version && satisfies(version, parseRange(args[1])) ? 0 : 1);
      }
      case 'point-yarn-lock':
        return pointYarnLock(args[0], args[1]);
      case 'valid-range':
        parseRange(args[0]);
        return process.exit(0);
      default:
        return fail(2, `unknown command ${command}`);
    }
  } catch (error) {
    return fail(2, error && error.message ? error.message : String(error));
  }
}

module.exports = { parseRange, parseVersion, satisfies, bundledNpmRange, bundledNpmVersion };
if (require.main === module) main(process.argv.slice(2));
