/**
 * JSON schemas of workflow inputs, from their TypeScript types: for validating input before a
 * start, and for exposing workflows as tools.
 */
import type { Node, Type } from 'ts-morph';

/** A JSON schema (the subset this generator writes). */
export type JsonSchema = Record<string, unknown>;

/** The JSON schema of a type, as JSON carries it: a Date is a date-time string; what JSON can't carry is left open. */
export function schemaOf(type: Type, at: Node, seen: Type[] = []): JsonSchema {
  if (seen.includes(type)) return {};
  const text = type.getText();
  if (type.isAny() || type.isUnknown()) return {};
  if (type.isString()) return { type: 'string' };
  if (type.isNumber()) return { type: 'number' };
  if (type.isBoolean()) return { type: 'boolean' };
  if (type.isNull()) return { type: 'null' };
  if (type.isStringLiteral() || type.isNumberLiteral()) return { const: type.getLiteralValue() };
  if (type.isBooleanLiteral()) return { const: text === 'true' };
  if (text === 'Date' || type.getSymbol()?.getName() === 'Date') return { type: 'string', format: 'date-time' };
  if (type.isUnion()) {
    const members = type.getUnionTypes().filter((member) => !member.isUndefined());
    const booleans = members.filter((member) => member.isBooleanLiteral());
    const rest = members.filter((member) => !member.isBooleanLiteral());
    const schemas = [...(booleans.length === 2 ? [{ type: 'boolean' }] : booleans.map((member) => schemaOf(member, at, seen))), ...rest.map((member) => schemaOf(member, at, seen))];
    if (schemas.length === 1) return schemas[0] as JsonSchema;
    if (schemas.every((schema) => 'const' in schema)) return { enum: schemas.map((schema) => schema.const) };
    return { anyOf: schemas };
  }
  if (type.isArray()) {
    const element = type.getArrayElementType();
    return { type: 'array', items: element === undefined ? {} : schemaOf(element, at, [...seen, type]) };
  }
  if (type.isTuple()) {
    const elements = type.getTupleElements();
    return { type: 'array', prefixItems: elements.map((element) => schemaOf(element, at, [...seen, type])), minItems: elements.length, maxItems: elements.length };
  }
  if (type.isObject() || type.isIntersection()) {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const property of type.getProperties()) {
      const declaration = property.getValueDeclaration() ?? property.getDeclarations()[0];
      const propertyType = declaration === undefined ? property.getTypeAtLocation(at) : property.getTypeAtLocation(declaration);
      if (propertyType.getCallSignatures().length > 0) continue;
      properties[property.getName()] = schemaOf(propertyType, at, [...seen, type]);
      if (!property.isOptional() && !propertyType.isUndefined() && !(propertyType.isUnion() && propertyType.getUnionTypes().some((member) => member.isUndefined()))) {
        required.push(property.getName());
      }
    }
    const index = type.getStringIndexType();
    return {
      type: 'object',
      properties,
      ...(required.length > 0 ? { required } : {}),
      additionalProperties: index === undefined ? false : schemaOf(index, at, [...seen, type]),
    };
  }
  return {};
}
