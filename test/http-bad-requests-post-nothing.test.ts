/**
 * Every malformed or invalid request to the billing API gets its 4xx with a
 * one-line JSON `{ error }` that names the endpoint and the fix, and NOTHING
 * reaches the ledger: the entries table stays empty and the balances stay as
 * seeded. A refused request does not use up its op id either.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planStrategies } from '../runner/replay/plan.js';
import { BillingServer } from '../runner/http/server.js';
import type { Strategy } from '../strategies/contract.js';
import { builtinRegistry } from '../strategies/registry.js';
import { makeContext, type TestContext } from './support/context.js';
import { makeAccounts } from './support/ops.js';

const accounts = makeAccounts([{ balance: 1_000 }, { balance: 5_000 }, { balance: 0, floor: -500 }]);

describe('billing API: bad requests', () => {
  let t: TestContext;
  let strategy: Strategy;
  let server: BillingServer;
  let url: string;

  beforeAll(async () => {
    t = await makeContext(accounts, { connections: 2 });
    strategy = planStrategies('atomic', builtinRegistry())[0]!.create();
    await strategy.setup(t.ctx);
    server = new BillingServer({ strategy, label: 'atomic', accounts, clock: t.ctx.clock, accountsFrom: 'test', maxOpId: 1_000 });
    url = await server.listen(0);
  });

  afterAll(async () => {
    await server?.close();
    await strategy?.stop();
    await t?.close();
  });

  const ledger = async () => {
    const entries = await t.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM entries');
    const balances = await t.db.pool.query<{ id: string; balance: string }>('SELECT id, balance FROM accounts ORDER BY id');
    return { entries: Number(entries.rows[0]!.n), balances: balances.rows.map((r) => Number(r.balance)) };
  };

  /** Sends a raw request; resolves with the status, headers and parsed body. */
  const send = (method: string, path: string, body?: string, headers: Record<string, string | number> = {}) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }>((resolve, reject) => {
      const req = http.request(`${url}${path}`, { method, headers: body === undefined ? headers : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(body);
    });

  const post = (kind: string, body: unknown) => send('POST', `/v1/${kind}`, typeof body === 'string' ? body : JSON.stringify(body));

  const cases: { name: string; run: () => ReturnType<typeof send>; status: number; says: RegExp }[] = [
    { name: 'malformed JSON', run: () => post('charge', '{"op_id": 1, "account": 0,'), status: 400, says: /POST \/v1\/charge: the body is not valid JSON .*send \{"op_id"/ },
    { name: 'empty body', run: () => post('charge', ''), status: 400, says: /POST \/v1\/charge: the body is empty/ },
    { name: 'a JSON array', run: () => post('topup', '[1,2,3]'), status: 400, says: /must be a JSON object, got an array/ },
    { name: 'JSON null', run: () => post('topup', 'null'), status: 400, says: /must be a JSON object, got null/ },
    { name: 'missing field', run: () => post('charge', { op_id: 1, account: 0 }), status: 400, says: /missing field "amount"/ },
    { name: 'two missing fields', run: () => post('charge', { amount: 5 }), status: 400, says: /missing field "op_id", "account"/ },
    { name: 'extra field', run: () => post('charge', { op_id: 1, account: 0, amount: 5, currency: 'EUR' }), status: 400, says: /unknown field "currency"; the body has exactly op_id, account and amount/ },
    { name: 'negative charge', run: () => post('charge', { op_id: 1, account: 0, amount: -5 }), status: 400, says: /amount must be at least 1 minor unit for a charge, got -5; use POST \/v1\/adjust/ },
    { name: 'zero topup', run: () => post('topup', { op_id: 1, account: 0, amount: 0 }), status: 400, says: /at least 1 minor unit for a topup, got 0/ },
    { name: 'negative withdraw', run: () => post('withdraw', { op_id: 1, account: 1, amount: -1 }), status: 400, says: /for a withdraw, got -1/ },
    { name: 'zero adjust', run: () => post('adjust', { op_id: 1, account: 0, amount: 0 }), status: 400, says: /must not be 0 for an adjustment/ },
    { name: 'fractional amount', run: () => post('charge', { op_id: 1, account: 0, amount: 12.5 }), status: 400, says: /amount must be an integer number of minor units \(cents\), got 12.5/ },
    { name: 'amount as a string', run: () => post('charge', { op_id: 1, account: 0, amount: '12' }), status: 400, says: /amount must be an integer .* got "12"/ },
    { name: 'amount beyond the safe range', run: () => post('topup', { op_id: 1, account: 0, amount: 1e16 }), status: 400, says: /amount 10000000000000000 is beyond the largest amount, 1000000000000 minor units/ },
    { name: 'adjust beyond the range, negative', run: () => post('adjust', { op_id: 1, account: 0, amount: -2_000_000_000_000 }), status: 400, says: /beyond the largest amount/ },
    { name: 'amount 1e400 (Infinity)', run: () => post('charge', '{"op_id":1,"account":0,"amount":1e400}'), status: 400, says: /amount Infinity is beyond the largest amount/ },
    { name: 'negative op id', run: () => post('charge', { op_id: -1, account: 0, amount: 5 }), status: 400, says: /op_id must be an integer from 0 to 1000, got -1/ },
    { name: 'op id above the limit', run: () => post('charge', { op_id: 1_001, account: 0, amount: 5 }), status: 400, says: /op_id must be an integer from 0 to 1000, got 1001/ },
    { name: 'fractional op id', run: () => post('charge', { op_id: 1.5, account: 0, amount: 5 }), status: 400, says: /op_id must be an integer/ },
    { name: 'negative account', run: () => post('charge', { op_id: 1, account: -1, amount: 5 }), status: 400, says: /account must be a non-negative integer account id, got -1/ },
    { name: 'unknown account', run: () => post('charge', { op_id: 1, account: 3, amount: 5 }), status: 404, says: /account 3 does not exist; accounts are 0 to 2 \(scenario test\)/ },
    { name: 'unknown account on a balance read', run: () => send('GET', '/v1/balance/99'), status: 404, says: /GET \/v1\/balance\/99: account 99 does not exist/ },
    { name: 'non-numeric account on a balance read', run: () => send('GET', '/v1/balance/abc'), status: 400, says: /account must be a non-negative integer account id, got "abc"/ },
    { name: 'unknown query parameter', run: () => send('GET', '/v1/balance/0?fresh=1'), status: 400, says: /unknown query parameter "fresh"; the only one is op_id/ },
    { name: 'bad op id on a balance read', run: () => send('GET', '/v1/balance/0?op_id=x'), status: 400, says: /op_id must be an integer from 0 to 1000, got "x"/ },
    { name: 'unknown path', run: () => send('GET', '/v2/charge'), status: 404, says: /no such endpoint: GET \/v2\/charge; the API has POST \/v1\/charge/ },
    { name: 'unknown kind', run: () => post('refund', { op_id: 1, account: 0, amount: 5 }), status: 404, says: /no such endpoint: POST \/v1\/refund/ },
    { name: 'wrong method on a write', run: () => send('GET', '/v1/charge'), status: 405, says: /GET \/v1\/charge: method not allowed; use POST \/v1\/charge/ },
    { name: 'wrong method on a read', run: () => send('DELETE', '/v1/balance/0'), status: 405, says: /method not allowed; use GET/ },
    { name: 'body over the cap (declared)', run: () => post('charge', JSON.stringify({ op_id: 1, account: 0, amount: 5, pad: 'x'.repeat(2_000) })), status: 413, says: /over the 1024-byte limit/ },
  ];

  it('refuses each bad request with its status and a one-line { error } naming the fix', async () => {
    const before = await ledger();
    expect(before).toEqual({ entries: 0, balances: [1_000, 5_000, 0] });
    for (const c of cases) {
      const res = await c.run();
      expect(res.status, c.name).toBe(c.status);
      expect(Object.keys(res.body), c.name).toEqual(['error']);
      const error = String(res.body['error']);
      expect(error, c.name).toMatch(c.says);
      expect(error, c.name).not.toContain('\n');
      expect(res.headers['content-type'], c.name).toBe('application/json');
    }
    expect((await send('GET', '/v1/charge')).headers['allow']).toBe('POST');
    expect(await ledger()).toEqual(before); // nothing posted
    expect(server.counts()).toMatchObject({ submitted: 0, refused: cases.length + 1 });
  });

  it('refuses a streamed (chunked) body over the cap with 413 and posts nothing', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${url}/v1/charge`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (r) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.write('{"op_id": 1, "account": 0, "amount": 5, "pad": "');
      for (let i = 0; i < 10; i++) req.write('x'.repeat(500));
      req.end('"}');
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ error: expect.stringMatching(/more than 1024 bytes\) is over the 1024-byte limit/) });
    expect((await ledger()).entries).toBe(0);
  });

  it('a duplicate op id gets 409 and posts nothing more; a refused request left its id unused', async () => {
    // op id 1 was in every refused request above: it is still free.
    const first = await post('charge', { op_id: 1, account: 0, amount: 300 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'applied', op_id: 1, kind: 'charge', account: 0, amount: 300 });
    const again = await post('charge', { op_id: 1, account: 0, amount: 300 });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: 'POST /v1/charge: op_id 1 was already submitted to this server; op ids are unique per op: give this op a new one.' });
    const asRead = await send('GET', '/v1/balance/0?op_id=1');
    expect(asRead.status).toBe(409);
    expect(await ledger()).toEqual({ entries: 1, balances: [700, 5_000, 0] });
  });
});
