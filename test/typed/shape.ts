/**
 * A runtime checker for the curated reply types: reads lib/commands/replies.ts with the
 * TypeScript compiler API and checks a value against a property's declared type node, so the
 * tests check replies against what the types say, not against a second hand-written copy.
 *
 * Understands what replies.ts uses: string/number/null, literals, unions, arrays, tuples (named,
 * optional members), `Record<string, T>`, object literals and interfaces, intersections, the
 * file's own aliases, `Buffer`, and `Reply` (anything a decoder gives).
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const FILE = new URL('../../lib/commands/replies.ts', import.meta.url);

export interface ReplyTypes {
  /** Property name → its type node, for `Replies`, `RepliesWith` and `BufReplies`. */
  replies: Map<string, ts.TypeNode>;
  with: Map<string, ts.TypeNode>;
  /** With returnBuffers, where `Buf<T>` is not the type (already written with Buffers). */
  bufReplies: Map<string, ts.TypeNode>;
  /** Returns null when `value` fits `type`, else where and why it does not. */
  check(value: unknown, type: ts.TypeNode, buffers?: boolean): string | null;
}

export function loadReplyTypes(): ReplyTypes {
  const source = ts.createSourceFile('replies.ts', readFileSync(FILE, 'utf8'), ts.ScriptTarget.ES2022, true);
  const aliases = new Map<string, ts.TypeNode>();
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  for (const statement of source.statements) {
    if (ts.isTypeAliasDeclaration(statement)) aliases.set(statement.name.text, statement.type);
    if (ts.isInterfaceDeclaration(statement)) interfaces.set(statement.name.text, statement);
  }
  const members = (name: string): Map<string, ts.TypeNode> => {
    const out = new Map<string, ts.TypeNode>();
    for (const member of interfaces.get(name)!.members) {
      if (ts.isPropertySignature(member) && member.type !== undefined) out.set(member.name.getText(source), member.type);
    }
    return out;
  };

  function check(value: unknown, type: ts.TypeNode, buffers = false, path = 'reply'): string | null {
    const fail = (what: string) => `${path}: expected ${what}, got ${show(value)}`;
    switch (type.kind) {
      case ts.SyntaxKind.StringKeyword:
        return (buffers ? Buffer.isBuffer(value) : typeof value === 'string') ? null : fail(buffers ? 'Buffer' : 'string');
      case ts.SyntaxKind.NumberKeyword:
        return typeof value === 'number' ? null : fail('number');
      case ts.SyntaxKind.LiteralType: {
        const literal = (type as ts.LiteralTypeNode).literal;
        if (literal.kind === ts.SyntaxKind.NullKeyword) return value === null ? null : fail('null');
        // A literal is a simple string: text even with returnBuffers (Buf<T> keeps it).
        if (ts.isStringLiteral(literal)) return value === literal.text ? null : fail(`'${literal.text}'`);
        return fail(type.getText(source));
      }
      case ts.SyntaxKind.ParenthesizedType:
        return check(value, (type as ts.ParenthesizedTypeNode).type, buffers, path);
      case ts.SyntaxKind.UnionType: {
        const errors: string[] = [];
        for (const t of (type as ts.UnionTypeNode).types) {
          const error = check(value, t, buffers, path);
          if (error === null) return null;
          errors.push(error);
        }
        return errors.sort((x, y) => y.length - x.length)[0]!;
      }
      case ts.SyntaxKind.IntersectionType: {
        for (const t of (type as ts.IntersectionTypeNode).types) {
          const error = check(value, t, buffers, path);
          if (error !== null) return error;
        }
        return null;
      }
      case ts.SyntaxKind.ArrayType: {
        if (!Array.isArray(value)) return fail('an array');
        const element = (type as ts.ArrayTypeNode).elementType;
        for (let i = 0; i < value.length; i++) {
          const error = check(value[i], element, buffers, `${path}[${i}]`);
          if (error !== null) return error;
        }
        return null;
      }
      case ts.SyntaxKind.TupleType: {
        if (!Array.isArray(value)) return fail('a tuple');
        const elements = (type as ts.TupleTypeNode).elements;
        const required = elements.filter((e) => !(ts.isNamedTupleMember(e) && e.questionToken) && !ts.isOptionalTypeNode(e)).length;
        if (value.length < required || value.length > elements.length) return fail(`a tuple of ${elements.length}`);
        for (let i = 0; i < value.length; i++) {
          const e = elements[i]!;
          const t = ts.isNamedTupleMember(e) ? e.type : ts.isOptionalTypeNode(e) ? e.type : e;
          const error = check(value[i], t, buffers, `${path}[${i}]`);
          if (error !== null) return error;
        }
        return null;
      }
      case ts.SyntaxKind.TypeLiteral:
        return checkMembers(value, (type as ts.TypeLiteralNode).members, buffers, path);
      case ts.SyntaxKind.TypeReference: {
        const ref = type as ts.TypeReferenceNode;
        const name = ref.typeName.getText(source);
        if (name === 'Reply') return null;
        if (name === 'Buffer') return Buffer.isBuffer(value) ? null : fail('Buffer');
        if (name === 'Record') {
          if (!isObject(value)) return fail('a plain object');
          for (const [k, v] of Object.entries(value)) {
            const error = check(v, ref.typeArguments![1]!, buffers, `${path}.${k}`);
            if (error !== null) return error;
          }
          return null;
        }
        const alias = aliases.get(name);
        if (alias !== undefined) return check(value, alias, buffers, path);
        const iface = interfaces.get(name);
        if (iface !== undefined) return checkMembers(value, iface.members, buffers, path);
        return fail(`a known type (${name} is not)`);
      }
      default:
        return fail(`a type the checker knows (${ts.SyntaxKind[type.kind]})`);
    }
  }

  function checkMembers(value: unknown, list: ts.NodeArray<ts.TypeElement>, buffers: boolean, path: string): string | null {
    if (!isObject(value)) return `${path}: expected an object, got ${show(value)}`;
    for (const member of list) {
      if (!ts.isPropertySignature(member) || member.type === undefined) continue;
      const key = member.name.getText(source).replace(/^'|'$/g, '');
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined && member.questionToken !== undefined) continue;
      const error = check(v, member.type, buffers, `${path}.${key}`);
      if (error !== null) return error;
    }
    return null;
  }

  return {
    replies: members('Replies'), with: members('RepliesWith'), bufReplies: members('BufReplies'),
    check: (v, t, b) => check(v, t, b),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value) &&
    !(value instanceof Map) && !(value instanceof Set);
}

function show(value: unknown): string {
  if (value instanceof Map) return 'a Map';
  if (value instanceof Set) return 'a Set';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? text.slice(0, 80) + '...' : text;
}
