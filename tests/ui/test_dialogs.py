"""The dialogs at 80x24: a long question wraps instead of being cut."""

from textual.app import App

from cockpit.ui.widgets.dialogs import ConfirmPrompt, TextPrompt
from tests.ui.helpers import screen_text

QUESTION = ("Resolve INC-0001 (P1) Checkout requests failing at the payments gateway for every card "
            "issuer in incident-log?")


class DialogApp(App):
    pass


async def test_a_long_confirm_question_is_shown_whole_at_80_columns():
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ConfirmPrompt(QUESTION))
        await pilot.pause()
        assert "incident-log?" in screen_text(app)  # the end of the question, wrapped onto a line of its own


async def test_a_long_prompt_title_is_shown_whole_at_80_columns():
    app = DialogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(TextPrompt(QUESTION))
        await pilot.pause()
        assert "incident-log?" in screen_text(app)
