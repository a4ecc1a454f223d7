"""What an ingested event must look like; bad batches are refused whole, with every error listed."""

from marshmallow import Schema, fields, validate


class EventSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    occurred_at = fields.AwareDateTime(required=True)
    properties = fields.Dict(keys=fields.String(), load_default=dict)


events_schema = EventSchema(many=True)
