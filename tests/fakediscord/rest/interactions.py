"""The fake REST API for interactions: the initial callback and the webhook follow-ups."""

from typing import Any

from tests.fakediscord import limits
from tests.fakediscord.errors import (
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_WEBHOOK,
    DiscordError,
    FormErrors,
    invalid_form,
    unknown,
)
from tests.fakediscord.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    MODAL,
    MODAL_SUBMIT,
    UPDATE_MESSAGE,
    VALID_CALLBACKS,
    Callback,
    Interaction,
)
from tests.fakediscord.rest.base import Call, Reply, RestBase, Route, UploadedFile
from tests.fakediscord.state import Message


class InteractionRoutes(RestBase):
    """``/interactions/{id}/{token}/callback`` and ``/webhooks/{application_id}/{token}/...``."""

    def interaction_routes(self) -> list[Route]:
        """This resource's routes, in table order."""
        r = self._route
        return [
            r(
                "POST",
                "/interactions/{interaction_id}/{interaction_token}/callback",
                self.interaction_callback,
                auth=False,
            ),
            r("POST", "/webhooks/{webhook_id}/{webhook_token}", self.followup, auth=False),
            r(
                "GET",
                "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
                self.get_webhook_message,
                auth=False,
            ),
            r(
                "PATCH",
                "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
                self.edit_webhook_message,
                auth=False,
            ),
            r(
                "DELETE",
                "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
                self.delete_webhook_message,
                auth=False,
            ),
            r(
                "GET",
                "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
                self.get_webhook_message,
                auth=False,
            ),
            r(
                "PATCH",
                "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
                self.edit_webhook_message,
                auth=False,
            ),
            r(
                "DELETE",
                "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
                self.delete_webhook_message,
                auth=False,
            ),
        ]

    def _interaction(self, call: Call) -> Interaction:
        inter_id = call.params["interaction_id"]
        inter = self.fake.interactions.get(int(inter_id)) if inter_id.isdigit() else None
        if inter is None or inter.token != call.params["interaction_token"]:
            raise DiscordError(
                404, UNKNOWN_INTERACTION, "Unknown interaction", violation="unknown_interaction"
            )
        return inter

    async def interaction_callback(self, call: Call) -> Any:
        """POST /interactions/{id}/{token}/callback: the initial response, once, within 3 s."""
        inter = self._interaction(call)
        elapsed = self.state.clock.monotonic() - inter.created
        if inter.callback is not None:
            raise DiscordError(
                400,
                40060,
                "Interaction has already been acknowledged.",
                violation="already_acknowledged",
                details=[f"first response type {inter.callback.type}"],
            )
        if elapsed > self.fake.config.ack_deadline:
            raise DiscordError(
                404,
                UNKNOWN_INTERACTION,
                "Unknown interaction",
                violation="interaction_timeout",
                details=[f"acknowledged after {elapsed:.2f}s (limit 3s)"],
            )
        body = call.json()
        kind = body.get("type")
        data: dict[str, Any] = body.get("data") or {}
        allowed = set(VALID_CALLBACKS.get(inter.type, set()))
        if inter.type == MODAL_SUBMIT and inter.message_id is None:
            allowed -= {DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE}
        if kind not in allowed:
            errors = FormErrors()
            errors.add(
                ("type",),
                "BASE_TYPE_CHOICES",
                f"Value must be one of {sorted(allowed)} for interaction type {inter.type}.",
            )
            raise invalid_form(errors)
        self.check_files(call)
        errors = FormErrors()
        if kind in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            limits.check_message(data, errors, ("data",))
        elif kind == AUTOCOMPLETE_RESULT:
            limits.check_choices(data.get("choices") or [], errors, ("data", "choices"))
        elif kind == MODAL:
            limits.check_modal(data, errors, ("data",))
        if errors:
            raise invalid_form(errors)
        self._apply_callback(inter, kind, data, call.files)
        inter.callback = Callback(kind, data)
        if call.query.get("with_response", "").lower() not in ("1", "true"):
            return Reply(204)
        return self._callback_response(inter, kind)

    def _apply_callback(
        self, inter: Interaction, kind: int, data: dict[str, Any], files: list[UploadedFile]
    ) -> None:
        channel = self.state.channels[inter.channel_id]
        if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            flags = data.get("flags") or 0
            message = self.new_bot_message(
                channel,
                type=20 if inter.type == APPLICATION_COMMAND else 0,
                webhook_id=self.state.application_id,
                application_id=self.state.application_id,
                interaction_metadata=self.fake.interaction_metadata(inter),
            )
            if kind == DEFERRED_CHANNEL_MESSAGE:
                message.flags = limits.FLAG_LOADING | (flags & limits.FLAG_EPHEMERAL)
            else:
                self.apply_fields(message, data, files)
                message.flags |= flags & limits.FLAG_EPHEMERAL
                if self.is_empty(message):
                    raise self.empty_error()
            inter.original = message
            self.fake.store_message(message)
            if not message.ephemeral:
                self.dispatch_message("MESSAGE_CREATE", message)
        elif kind in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            target = self.fake.find_message(inter.message_id or 0)
            if target is None:
                raise unknown("Message", UNKNOWN_MESSAGE)
            inter.original = target
            if kind == UPDATE_MESSAGE:
                self._edit(target, data, files)

    def _callback_response(self, inter: Interaction, kind: int) -> Any:
        message = (
            inter.original
            if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, UPDATE_MESSAGE)
            else None
        )
        summary: dict[str, Any] = {"id": str(inter.id), "type": inter.type}
        resource: dict[str, Any] = {"type": kind}
        if message is not None:
            summary["response_message_id"] = str(message.id)
            summary["response_message_loading"] = message.loading
            summary["response_message_ephemeral"] = message.ephemeral
            resource["message"] = self.state.message_payload(message)
        return {"interaction": summary, "resource": resource}

    def _webhook_interaction(self, call: Call) -> Interaction:
        if call.params["webhook_id"] != str(self.state.application_id):
            raise DiscordError(404, UNKNOWN_WEBHOOK, "Unknown Webhook", violation="unknown_webhook")
        inter = next(
            (i for i in self.fake.interactions.values() if i.token == call.params["webhook_token"]),
            None,
        )
        if inter is None:
            raise DiscordError(404, UNKNOWN_WEBHOOK, "Unknown Webhook", violation="unknown_webhook")
        elapsed = self.state.clock.monotonic() - inter.created
        if elapsed > self.fake.config.token_lifetime:
            raise DiscordError(
                401,
                50027,
                "Invalid Webhook Token",
                violation="token_expired",
                details=[f"used {elapsed:.0f}s after the interaction (limit 900s)"],
            )
        return inter

    async def followup(self, call: Call) -> Any:
        """POST /webhooks/{application_id}/{token}: a follow-up message."""
        inter = self._webhook_interaction(call)
        if inter.callback is None:
            raise DiscordError(
                404,
                UNKNOWN_WEBHOOK,
                "Unknown Webhook",
                violation="followup_before_response",
                details=["a follow-up needs an initial response (or defer) first"],
            )
        body = call.json()
        self.check_files(call)
        self.check_body(body)
        original = inter.original
        if (
            original is not None
            and original.loading
            and inter.callback.type == DEFERRED_CHANNEL_MESSAGE
        ):
            # Discord: the first follow-up after a thinking defer replaces the placeholder.
            self._edit(original, body, call.files)
            inter.followups.append(original)
            message = original
        else:
            channel = self.state.channels[inter.channel_id]
            message = self.new_bot_message(
                channel,
                webhook_id=self.state.application_id,
                application_id=self.state.application_id,
                interaction_metadata=self.fake.interaction_metadata(inter),
            )
            self.apply_fields(message, body, call.files)
            message.flags |= (body.get("flags") or 0) & limits.FLAG_EPHEMERAL
            if self.is_empty(message):
                raise self.empty_error()
            self.fake.store_message(message)
            inter.followups.append(message)
            if not message.ephemeral:
                self.dispatch_message("MESSAGE_CREATE", message)
        if call.query.get("wait", "").lower() not in ("1", "true"):
            return Reply(204)
        return self.state.message_payload(message)

    def _webhook_message(self, call: Call, inter: Interaction) -> Message:
        raw = call.params.get("message_id", "@original")
        if raw == "@original":
            if inter.original is None or inter.original.deleted:
                raise unknown("Message", UNKNOWN_MESSAGE)
            return inter.original
        for message in inter.messages():
            if str(message.id) == raw and not message.deleted:
                return message
        raise unknown("Message", UNKNOWN_MESSAGE)

    async def get_webhook_message(self, call: Call) -> Any:
        """GET /webhooks/{app}/{token}/messages/{@original|id}."""
        inter = self._webhook_interaction(call)
        return self.state.message_payload(self._webhook_message(call, inter))

    async def edit_webhook_message(self, call: Call) -> Any:
        """PATCH /webhooks/{app}/{token}/messages/{@original|id}."""
        inter = self._webhook_interaction(call)
        message = self._webhook_message(call, inter)
        body = call.json()
        self.check_files(call)
        self.check_body(body)
        self._edit(message, body, call.files)
        return self.state.message_payload(message)

    async def delete_webhook_message(self, call: Call) -> Any:
        """DELETE /webhooks/{app}/{token}/messages/{@original|id}."""
        inter = self._webhook_interaction(call)
        message = self._webhook_message(call, inter)
        if message is inter.original:
            inter.deleted_original = True
        self.fake.remove_message(message)
        return Reply(204)
