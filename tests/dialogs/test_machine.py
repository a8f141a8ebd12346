"""The state-machine style: named states and transitions, kept like any dialog."""

from __future__ import annotations

from telewire import Router
from telewire.dialogs import Dialogs, Transition
from telewire.testing import EmulatorHandle


def signup_bot(storage: str, age_question: str = "Your age?") -> Router:
    router = Router()
    dialogs = Dialogs(router, storage)
    signup = dialogs.machine("signup", command="signup")

    @signup.state("name", "Your name?", first=True)
    async def name(step: Transition) -> str:
        step.data["name"] = step.answer
        return "age"

    @signup.state("age", age_question, parse=int)
    async def age(step: Transition) -> str | None:
        if step.answer < 18:
            await step.reply("Sorry, grown-ups only.")
            return None
        step.data["age"] = step.answer
        return "plan"

    @signup.state("plan", "Which plan?", options={"Free": 0, "Pro": 5})
    async def plan(step: Transition) -> str | None:
        await step.reply(f"{step.data['name']}, {step.data['age']}, {step.answer} €")
        return None

    return router


def test_a_machine_walks_its_states_and_branches(
    emulator: EmulatorHandle, storage_url: str, quiet: None
) -> None:
    alice, bob = emulator.user("Alice"), emulator.user("Bob")
    with emulator.run(signup_bot(storage_url)):
        talk = emulator.dialog(alice)
        talk.send("/signup").expect("Your name?", exact=True)
        talk.send("Alice").expect("Your age?", exact=True)
        talk.send("x").expect("Sorry, I cannot use that answer.\nYour age?", exact=True)
        talk.send("30").expect("Which plan?", buttons=["Free", "Pro"])
        talk.press("Pro").expect("Alice, 30, 5 €", exact=True)
        young = emulator.dialog(bob)
        young.send("/signup").expect("Your name?")
        young.send("Bob").expect("Your age?")
        young.send("12").expect("Sorry, grown-ups only.", exact=True)
        young.send("/cancel").expect("There is nothing to cancel.")


def test_a_machine_survives_a_restart_and_restarts_when_a_state_changed(
    emulator: EmulatorHandle, storage_url: str
) -> None:
    talk = emulator.dialog(emulator.user("Alice"))
    with emulator.run(signup_bot(storage_url)):
        talk.send("/signup").expect("Your name?")
        talk.send("Alice").expect("Your age?")
    with emulator.run(signup_bot(storage_url)):  # a new process, the same machine
        talk.send("30").expect("Which plan?")
    with emulator.run(signup_bot(storage_url, age_question="How old are you?")):
        talk.press("Free").expect("let's start again")
        talk.expect("Your name?", exact=True)
