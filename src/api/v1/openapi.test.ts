import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './test-support/harness.js';

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }>; schemas: Record<string, { properties?: object }> };
  security: Record<string, unknown>[];
}

describe('GET /api/v1/openapi.json', () => {
  let h: Harness;
  let doc: OpenApiDoc;
  before(async () => {
    h = await startHarness();
    const res = await h.call('GET', '/api/v1/openapi.json', null);
    assert.equal(res.status, 200);
    doc = res.body as OpenApiDoc;
  });
  after(async () => h.close());

  it('is an OpenAPI 3 document with bearer authentication', () => {
    assert.match(doc.openapi, /^3\./);
    assert.deepEqual(doc.components.securitySchemes['bearerAuth'], { type: 'http', scheme: 'bearer', description: 'API token ovs_…' });
    assert.deepEqual(doc.security, [{ bearerAuth: [] }]);
  });

  const operations: [string, string][] = [
    ['get', '/api/v1/projects'], ['get', '/api/v1/projects/{id}'], ['get', '/api/v1/hosts'], ['get', '/api/v1/hosts/{id}'],
    ['delete', '/api/v1/hosts/{id}'], ['get', '/api/v1/checks'], ['get', '/api/v1/checks/{id}'], ['delete', '/api/v1/checks/{id}'],
    ['get', '/api/v1/checks/{id}/history'], ['get', '/api/v1/checks/{id}/flips'], ['get', '/api/v1/alerts'], ['get', '/api/v1/flips'],
    ['get', '/api/v1/tokens'], ['post', '/api/v1/tokens'], ['delete', '/api/v1/tokens/{id}'],
  ];
  for (const [method, path] of operations) {
    it(`documents ${method.toUpperCase()} ${path} with its answers`, () => {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method} ${path} missing`);
      assert.ok(Object.keys(op.responses).some((s) => s.startsWith('2')));
      assert.ok('401' in op.responses);
    });
  }

  it('documents the check filters as query parameters', () => {
    const params = (doc.paths['/api/v1/checks']?.['get']?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name).sort();
    assert.deepEqual(params, ['cursor', 'host', 'limit', 'prefix', 'project', 'state']);
  });

  it('names the shared entity schemas as components and refers to them', () => {
    assert.deepEqual(Object.keys(doc.components.schemas).sort(), ['Alert', 'ApiError', 'ApiToken', 'Check', 'Flip', 'Host', 'Project', 'StateReport']);
    const list = JSON.stringify(doc.paths['/api/v1/checks']?.['get']?.responses['200']);
    assert.match(list, /"items":\{"\$ref":"#\/components\/schemas\/Check"\}/);
    assert.match(JSON.stringify(doc.paths['/api/v1/hosts/{id}']?.['get']?.responses['404']), /#\/components\/schemas\/ApiError/);
  });

  it('leaves itself out of the document', () => {
    assert.equal(doc.paths['/api/v1/openapi.json'], undefined);
  });
});
