import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFalWebhook, type FalWebhookParse } from '../src/index.js';
import { parseJsonKeepingIntegers } from '../src/exact-json.js';

const test = suite('webhook bodies');
const parse = (text: string): FalWebhookParse => parseFalWebhook(Buffer.from(text, 'utf8'));

// Bodies as fal writes them: Python json.dumps with sorted keys and its separators.
const training =
  '{"error": null, "gateway_request_id": "7f3c1a52-gw", "payload": {"config_file": {"content_type": "application/octet-stream", ' +
  '"file_name": "config.json", "file_size": 1212, "url": "https://v3.fal.media/files/koala/Xy_config.json"}, ' +
  '"diffusers_lora_file": {"content_type": null, "file_name": null, "file_size": null, ' +
  '"url": "https://v3.fal.media/files/monkey/Ab_pytorch_lora_weights.safetensors"}}, ' +
  '"request_id": "7f3c1a52-req", "status": "OK"}';

const generation =
  '{"error": null, "gateway_request_id": "g-1", "payload": {"has_nsfw_concepts": [false, true], "images": [' +
  '{"content_type": "image/jpeg", "height": 1024, "url": "https://v3.fal.media/files/a.jpg", "width": 768}, ' +
  '{"content_type": null, "height": 1024, "url": "https://v3.fal.media/files/b.jpg", "width": 768}], ' +
  '"prompt": "avtr1, \\u0434\\u0435\\u0432\\u0443\\u0448\\u043a\\u0430", "seed": 18446744073709551615, ' +
  '"timings": {"inference": 2.9138423}}, "request_id": "r-1", "status": "OK"}';

test('a training success gives the LoRA and config URLs, whatever File metadata is null', () => {
  assert.equal(parse(training), {
    ok: true,
    requestId: '7f3c1a52-req',
    gatewayRequestId: '7f3c1a52-gw',
    outcome: {
      kind: 'succeeded',
      output: {
        kind: 'training',
        loraUrl: 'https://v3.fal.media/files/monkey/Ab_pytorch_lora_weights.safetensors',
        configUrl: 'https://v3.fal.media/files/koala/Xy_config.json',
      },
    },
  });
});

test('a generation success keeps the 2^64−1 seed exact and every image', () => {
  const parsed = parse(generation);
  assert.equal(parsed.ok && parsed.outcome, {
    kind: 'succeeded',
    output: {
      kind: 'generation',
      images: [
        { url: 'https://v3.fal.media/files/a.jpg', width: 768, height: 1024, contentType: 'image/jpeg' },
        { url: 'https://v3.fal.media/files/b.jpg', width: 768, height: 1024, contentType: null },
      ],
      seed: '18446744073709551615',
      hasNsfwConcepts: [false, true],
    },
  });
  const small = parse(generation.replace('18446744073709551615', '42'));
  assert.is(small.ok && small.outcome.kind === 'succeeded' && small.outcome.output.kind === 'generation' && small.outcome.output.seed, '42');
});

test('an ERROR turns the model detail into a readable reason, with the status code', () => {
  const body =
    '{"error": "Invalid status code: 422", "gateway_request_id": "g", "payload": {"detail": [' +
    '{"ctx": {"min_images": 10}, "input": "https://v3.fal.media/files/p.zip", "loc": ["body", "images_data_url"], ' +
    '"msg": "At least 10 images are required", "type": "not_enough_images", "url": "https://docs.fal.ai/errors#not_enough_images"}, ' +
    '{"loc": ["body"], "msg": "Faces are too small", "type": "value_error"}]}, "request_id": "r", "status": "ERROR"}';
  const parsed = parse(body);
  assert.equal(parsed.ok && parsed.outcome, {
    kind: 'model_error',
    httpStatus: 422,
    reason: 'images_data_url: At least 10 images are required; Faces are too small',
  });
});

test('an ERROR with a string detail, or none at all, still has a reason', () => {
  const stringDetail = parse(
    '{"error": "Invalid status code: 500", "gateway_request_id": "g", "payload": {"detail": "CUDA out of memory"}, "request_id": "r", "status": "ERROR"}',
  );
  assert.equal(stringDetail.ok && stringDetail.outcome, { kind: 'model_error', httpStatus: 500, reason: 'CUDA out of memory' });
  const bare = parse('{"error": "Request timed out", "gateway_request_id": "g", "payload": null, "request_id": "r", "status": "ERROR"}');
  assert.equal(bare.ok && bare.outcome, { kind: 'model_error', httpStatus: null, reason: 'Request timed out' });
});

test('OK without payload but with payload_error means the output must be fetched otherwise', () => {
  const parsed = parse(
    '{"error": null, "gateway_request_id": "g", "payload": null, "payload_error": "Response payload is not JSON serializable", "request_id": "r", "status": "OK"}',
  );
  assert.equal(parsed.ok && parsed.outcome, { kind: 'output_unavailable', reason: 'Response payload is not JSON serializable' });
});

test('bodies fal does not send are parse errors', () => {
  assert.is(reasonOf(parse('not json')), 'invalid_json');
  assert.is(reasonOf(parse('{"status": "OK", "payload": {}}')), 'unexpected_shape');
  assert.is(reasonOf(parse(training.replace('"status": "OK"', '"status": "DONE"'))), 'unexpected_shape');
  assert.is(reasonOf(parse(training.replace('"diffusers_lora_file": {', '"diffusers_lora_file": {"extra": 1, '))), 'ok');
  assert.is(reasonOf(parse(training.replace(/"url": "https:\/\/v3\.fal\.media\/files\/monkey[^"]*"/, '"url": null'))), 'unexpected_shape');
  assert.is(reasonOf(parse(generation.replace('"seed": 18446744073709551615', '"seed": -1'))), 'unexpected_shape');
  assert.is(reasonOf(parse('{"error": null, "gateway_request_id": "g", "payload": {"foo": 1}, "request_id": "r", "status": "OK"}')), 'unexpected_shape');
});

test('only integer literals too large for a double become strings', () => {
  assert.equal(
    parseJsonKeepingIntegers('{"a": 9007199254740991, "b": 9007199254740993, "c": -18446744073709551615, "d": 1.5e300, "e": "12345678901234567890 \\" 98765432109876543210"}'),
    { a: 9007199254740991, b: '9007199254740993', c: '-18446744073709551615', d: 1.5e300, e: '12345678901234567890 " 98765432109876543210' },
  );
});

function reasonOf(parsed: FalWebhookParse): string {
  return parsed.ok ? 'ok' : parsed.reason;
}

test.run();
