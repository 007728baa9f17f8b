"""Bedrock foundation-model catalogue for the fake.  The model
(models/bedrock/...) is AWS's current one trimmed by gen-models (Debian's
botocore 1.29 predates Bedrock; its endpoint rule set is written for the
fake); the catalogue is a table."""
from wire import ApiError

# (model id, name, provider, input modalities, output modalities, streaming)
CATALOGUE = (
    ('amazon.nova-micro-v1:0', 'Nova Micro', 'Amazon', ['TEXT'], ['TEXT'], True),
    ('amazon.nova-lite-v1:0', 'Nova Lite', 'Amazon', ['TEXT', 'IMAGE', 'VIDEO'], ['TEXT'], True),
    ('amazon.nova-pro-v1:0', 'Nova Pro', 'Amazon', ['TEXT', 'IMAGE', 'VIDEO'], ['TEXT'], True),
    ('amazon.titan-embed-text-v2:0', 'Titan Text Embeddings V2', 'Amazon', ['TEXT'], ['EMBEDDING'], False),
    ('anthropic.claude-3-haiku-20240307-v1:0', 'Claude 3 Haiku', 'Anthropic', ['TEXT', 'IMAGE'], ['TEXT'], True),
    ('anthropic.claude-3-5-sonnet-20240620-v1:0', 'Claude 3.5 Sonnet', 'Anthropic', ['TEXT', 'IMAGE'], ['TEXT'], True),
    ('meta.llama3-8b-instruct-v1:0', 'Llama 3 8B Instruct', 'Meta', ['TEXT'], ['TEXT'], True),
)


def _details(ctx, row):
    mid, name, provider, inputs, outputs, streaming = row
    return {'modelArn': 'arn:aws:bedrock:%s::foundation-model/%s' % (ctx.store.region, mid), 'modelId': mid,
            'modelName': name, 'providerName': provider, 'inputModalities': inputs, 'outputModalities': outputs,
            'responseStreamingSupported': streaming, 'customizationsSupported': [],
            'inferenceTypesSupported': ['ON_DEMAND'], 'modelLifecycle': {'status': 'ACTIVE'}}


def _access(ctx):
    """Model access per model id, granted for the whole catalogue until a
    test takes it away out of band: POST /_fake/state {"type":
    "bedrock_access", "id": MODEL, "set": {"status": "DENIED"}} (then
    GetFoundationModelAvailability answers NOT_AUTHORIZED)."""
    table = ctx.store.table('bedrock_access')
    if not table:
        for row in CATALOGUE:
            table[row[0]] = {'modelId': row[0], 'status': 'AUTHORIZED'}
    return table


def _row(ident):
    for row in CATALOGUE:
        if row[0] == ident:
            return row
    raise ApiError('ResourceNotFoundException', 'The specified model identifier %s is not supported.' % ident, 404)


def get_foundation_model(ctx):
    """Describes a model of the catalogue whether or not the account has
    access to it: access is GetFoundationModelAvailability's answer."""
    return {'modelDetails': _details(ctx, _row(ctx.params['modelIdentifier'].split('foundation-model/')[-1]))}


def get_foundation_model_availability(ctx):
    """Whether the account may use the model (Bedrock API reference,
    GetFoundationModelAvailability): authorizationStatus follows the access
    table; the catalogue is entitled, offered in the region and agreed."""
    mid = _row(ctx.params['modelId'])[0]
    denied = _access(ctx).get(mid, {}).get('status') == 'DENIED'
    return {'modelId': mid, 'authorizationStatus': 'NOT_AUTHORIZED' if denied else 'AUTHORIZED',
            'entitlementAvailability': 'AVAILABLE', 'regionAvailability': 'AVAILABLE',
            'agreementAvailability': {'status': 'AVAILABLE'}}


def list_foundation_models(ctx):
    p = ctx.params
    _access(ctx)
    rows = [_details(ctx, r) for r in CATALOGUE]
    if p.get('byProvider'):
        rows = [r for r in rows if r['providerName'].lower() == p['byProvider'].lower()]
    if p.get('byOutputModality'):
        rows = [r for r in rows if p['byOutputModality'] in r['outputModalities']]
    return {'modelSummaries': rows}


def handlers():
    return {'bedrock': {'GetFoundationModel': get_foundation_model,
                        'GetFoundationModelAvailability': get_foundation_model_availability,
                        'ListFoundationModels': list_foundation_models}}
