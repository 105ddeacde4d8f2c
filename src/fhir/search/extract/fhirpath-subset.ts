/**
 * A parser for the subset of FHIRPath that search parameter expressions use: paths, unions,
 * `as`/`ofType`, simple `where` filters, `extension('url')`, `first()` and indexers. Anything
 * else throws `UnsupportedExpression`, and the caller falls back to fhirpath.js.
 */

export class UnsupportedExpression extends Error {
  override name = 'UnsupportedExpression';
}

export type Literal = string | boolean | number;

export type Condition =
  | { kind: 'resolveIs'; type: string }
  | { kind: 'equals'; path: PathExpr; value: Literal }
  | { kind: 'and'; items: Condition[] };

export type Step =
  | { kind: 'member'; name: string }
  /** A leading type name (`Patient.name`): selects the context when it is of that type. */
  | { kind: 'rootType'; name: string }
  | { kind: 'ofType'; type: string }
  | { kind: 'where'; condition: Condition }
  | { kind: 'extension'; url: string }
  | { kind: 'index'; index: number };

export interface PathExpr {
  kind: 'path';
  start: 'context' | 'resource' | Expr;
  steps: Step[];
}

export type Expr = PathExpr | { kind: 'union'; items: Expr[] };

type Token = { t: 'id' | 'str' | 'num' | 'var' | 'op'; v: string };

const TOKEN =
  /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|`([^`]*)`|'((?:[^'\\]|\\.)*)'|(\d+(?:\.\d+)?)|%([A-Za-z_][A-Za-z0-9_]*)|(!=|[().|[\]=,]))/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new UnsupportedExpression(`unsupported syntax at '${text.slice(at, at + 20)}'`);
    at = TOKEN.lastIndex;
    if (m[1] !== undefined) tokens.push({ t: 'id', v: m[1] });
    else if (m[2] !== undefined) tokens.push({ t: 'id', v: m[2] });
    else if (m[3] !== undefined) tokens.push({ t: 'str', v: unescape(m[3]) });
    else if (m[4] !== undefined) tokens.push({ t: 'num', v: m[4] });
    else if (m[5] !== undefined) tokens.push({ t: 'var', v: m[5] });
    else tokens.push({ t: 'op', v: m[6]! });
  }
  return tokens;
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  if (/\\u/.test(s)) throw new UnsupportedExpression('unicode escapes');
  return s.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', f: '\f' })[c] ?? c);
}

const TYPE_KEYWORDS = new Set(['as', 'is']);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private isOp(v: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.t === 'op' && t.v === v;
  }

  private isWord(v: string): boolean {
    const t = this.peek();
    return t?.t === 'id' && t.v === v;
  }

  private expectOp(v: string): void {
    if (!this.isOp(v)) throw new UnsupportedExpression(`expected '${v}'`);
    this.pos += 1;
  }

  private next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw new UnsupportedExpression('unexpected end');
    return t;
  }

  parseAll(): Expr {
    const expr = this.union();
    if (this.pos !== this.tokens.length) throw new UnsupportedExpression(`unexpected '${this.peek()?.v}'`);
    return expr;
  }

  private union(): Expr {
    const items = [this.typeExpr()];
    while (this.isOp('|')) {
      this.pos += 1;
      items.push(this.typeExpr());
    }
    return items.length === 1 ? items[0]! : { kind: 'union', items };
  }

  private typeExpr(): Expr {
    const path = this.postfix();
    if (this.isWord('as')) {
      this.pos += 1;
      path.steps.push({ kind: 'ofType', type: this.typeName() });
    }
    if (this.isWord('is')) throw new UnsupportedExpression("'is' outside where(resolve() is T)");
    return path;
  }

  private typeName(): string {
    const t = this.next();
    if (t.t !== 'id') throw new UnsupportedExpression('expected a type name');
    if (t.v === 'FHIR' && this.isOp('.')) {
      this.pos += 1;
      return this.typeName();
    }
    if (t.v === 'System') throw new UnsupportedExpression('System types');
    return t.v;
  }

  private postfix(): PathExpr {
    const path = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.pos += 1;
        this.invocation(path);
      } else if (this.isOp('[')) {
        this.pos += 1;
        const n = this.next();
        if (n.t !== 'num' || n.v.includes('.')) throw new UnsupportedExpression('non-integer indexer');
        this.expectOp(']');
        path.steps.push({ kind: 'index', index: Number(n.v) });
      } else return path;
    }
  }

  private primary(): PathExpr {
    const t = this.peek();
    if (t?.t === 'op' && t.v === '(') {
      this.pos += 1;
      const inner = this.union();
      this.expectOp(')');
      return inner.kind === 'path' && !this.isOp('[') ? inner : { kind: 'path', start: inner, steps: [] };
    }
    if (t?.t === 'var') {
      this.pos += 1;
      if (t.v !== 'resource') throw new UnsupportedExpression(`variable %${t.v}`);
      return { kind: 'path', start: 'resource', steps: [] };
    }
    const path: PathExpr = { kind: 'path', start: 'context', steps: [] };
    if (t?.t === 'id' && /^[A-Z]/.test(t.v) && !this.isOp('(', 1)) {
      this.pos += 1;
      path.steps.push({ kind: 'rootType', name: t.v });
      return path;
    }
    this.invocation(path);
    return path;
  }

  private invocation(path: PathExpr): void {
    const name = this.next();
    if (name.t !== 'id' || (TYPE_KEYWORDS.has(name.v) && !this.isOp('('))) throw new UnsupportedExpression('expected a name');
    if (!this.isOp('(')) {
      path.steps.push({ kind: 'member', name: name.v });
      return;
    }
    this.pos += 1;
    switch (name.v) {
      case 'ofType':
      case 'as':
        path.steps.push({ kind: 'ofType', type: this.typeName() });
        break;
      case 'where':
        path.steps.push({ kind: 'where', condition: this.condition() });
        break;
      case 'first':
        path.steps.push({ kind: 'index', index: 0 });
        break;
      case 'extension': {
        const url = this.next();
        if (url.t !== 'str') throw new UnsupportedExpression('extension() needs a literal url');
        path.steps.push({ kind: 'extension', url: url.v });
        break;
      }
      default:
        throw new UnsupportedExpression(`function ${name.v}()`);
    }
    this.expectOp(')');
  }

  private condition(): Condition {
    const items = [this.comparison()];
    while (this.isWord('and')) {
      this.pos += 1;
      items.push(this.comparison());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private comparison(): Condition {
    if (this.isWord('resolve') && this.isOp('(', 1) && this.isOp(')', 2)) {
      this.pos += 3;
      if (!this.isWord('is')) throw new UnsupportedExpression('resolve() without is');
      this.pos += 1;
      return { kind: 'resolveIs', type: this.typeName() };
    }
    const path = this.postfix();
    if (path.start !== 'context') throw new UnsupportedExpression('where() on a non-relative path');
    this.expectOp('=');
    return { kind: 'equals', path, value: this.literal() };
  }

  private literal(): Literal {
    const t = this.next();
    if (t.t === 'str') return t.v;
    if (t.t === 'num') return Number(t.v);
    if (t.t === 'id' && (t.v === 'true' || t.v === 'false')) return t.v === 'true';
    throw new UnsupportedExpression('expected a literal');
  }
}

/** Parses an expression of the supported subset; throws UnsupportedExpression otherwise. */
export function parseFhirPathSubset(text: string): Expr {
  return new Parser(tokenize(text)).parseAll();
}
