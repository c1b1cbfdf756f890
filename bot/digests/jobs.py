"""What DigestService hands the JobQueue and the Bot: the job payload and the send function."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import ExtBot

from bot.digests.delivery import DigestPart, SendFn


class AnyJobQueue(Protocol):
    """The JobQueue calls the service makes (PTB's JobQueue of any context type)."""

    def run_once(
        self,
        callback: Any,
        when: Any,
        data: Any = ...,
        name: Any = ...,
        chat_id: Any = ...,
        user_id: Any = ...,
        job_kwargs: Any = ...,
    ) -> Any: ...


@dataclass(frozen=True, slots=True)
class DueJob:
    """What a subscription's job carries: which subscription, due when."""

    sub_id: str
    due: datetime


def bot_sender(bot: ExtBot[Any]) -> SendFn:
    """Return a SendFn that sends HTML without link previews through a PTB Bot."""
    no_preview = LinkPreviewOptions(is_disabled=True)

    async def send(chat_id: int, part: DigestPart) -> object:
        markup = (
            InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                    for row in part.buttons
                ]
            )
            if part.buttons
            else None
        )
        return await bot.send_message(
            chat_id,
            part.text,
            parse_mode=ParseMode.HTML,
            link_preview_options=no_preview,
            reply_markup=markup,
            rate_limit_args={"digest": True},  # paced by the Deliverer (bot/app/sendlimit.py)
        )

    return send
