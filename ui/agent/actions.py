"""Every command of the window as a QAction with its shortcut, shown in menus and tooltips.

Single-letter shortcuts (J/K) only fire outside text fields: text widgets
claim printable keys first, so typing a "j" in a reply never jumps contacts.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from console.domain import AgentState
from ui.agent.agent_state import STATE_LABELS

Native = QKeySequence.SequenceFormat.NativeText


def make_action(parent: QObject, text: str, shortcuts: list[str] | str, tip: str,
                name: str) -> QAction:
    """A window-wide action whose tooltip names its shortcut."""
    action = QAction(text, parent)
    action.setObjectName(name)
    keys = [shortcuts] if isinstance(shortcuts, str) else shortcuts
    action.setShortcuts([QKeySequence(k) for k in keys])
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    shown = ", ".join(QKeySequence(k).toString(Native) for k in keys)
    action.setToolTip(f"{tip} ({shown})" if shown else tip)
    action.setStatusTip(tip)
    return action


class WindowActions:
    """The window's actions, created once and wired by the window.

    Args:
        parent: the main window (actions are window-wide).
    """

    def __init__(self, parent: QObject) -> None:
        a = make_action
        self.get_next = a(parent, "&Get next", "Ctrl+G",
                          "Claim the most urgent waiting contact in your queues", "getNext")
        self.claim = a(parent, "&Claim", "Ctrl+Shift+C", "Take this contact", "claim")
        self.focus_reply = a(parent, "&Write reply", "Ctrl+R", "Move to the reply box",
                             "focusReply")
        self.send_reply = a(parent, "Send &reply", ["Ctrl+Return", "Ctrl+Enter"],
                            "Send the text as a reply to the customer", "sendReply")
        self.add_note = a(parent, "Add &note", "Ctrl+N",
                          "Save the text as an internal note (the customer never sees it)",
                          "addNote")
        self.transfer = a(parent, "&Transfer…", "Ctrl+T",
                          "Hand the contact to another queue or agent", "transfer")
        self.resolve = a(parent, "R&esolve…", "Ctrl+E",
                         "Close the work on this contact with a disposition", "resolve")
        self.link_customer = a(parent, "&Link to customer…", "Ctrl+L",
                               "Make this LINE, SMS, Messenger or chat sender an existing "
                               "customer's", "linkCustomer")
        self.link_customer.setIconText("Link to customer…")  # a button's text keeps its "…"
        self.unlink_customer = a(parent, "&Unlink from customer…", [],
                                 "Give this sender a customer record of their own again",
                                 "unlinkCustomer")
        self.unlink_customer.setIconText("Unlink…")
        self.next_contact = a(parent, "Ne&xt contact", ["Ctrl+Down", "J"],
                              "Select the next contact in the inbox", "nextContact")
        self.previous_contact = a(parent, "&Previous contact", ["Ctrl+Up", "K"],
                                  "Select the previous contact in the inbox", "previousContact")
        self.focus_inbox = a(parent, "Go to &inbox", "Ctrl+I", "Move to the inbox list",
                             "focusInbox")
        self.focus_kb = a(parent, "Search &knowledge base", ["Ctrl+K", "Ctrl+F"],
                          "Move to the knowledge-base search", "focusKb")
        self.refresh = a(parent, "&Refresh inbox", "F5", "List the inbox again from the top",
                         "refresh")
        self.reset_layout = a(parent, "Reset &layout", [], "Put every pane back where it started",
                              "resetLayout")
        self.shortcuts = a(parent, "&Keyboard shortcuts", ["F1", "Ctrl+/"],
                           "List every keyboard shortcut", "shortcutsHelp")
        self.sign_out = a(parent, "Sign &out", "Ctrl+Shift+L",
                          "Sign out and let the next person sign in on this workstation",
                          "signOut")
        self.quit = a(parent, "&Quit", "Ctrl+Q", "Close Switchboard", "quit")
        self.states: dict[AgentState, QAction] = {}
        for number, state in enumerate(AgentState, start=1):
            action = a(parent, STATE_LABELS[state], f"Ctrl+{number}",
                       f"Set your state to {STATE_LABELS[state]}", f"state_{state.value}")
            action.setCheckable(True)
            self.states[state] = action

    def contact_actions(self) -> list[QAction]:
        """The actions on the contact toolbar."""
        return [self.claim, self.transfer, self.resolve]

    def all(self) -> list[QAction]:
        fixed = [self.get_next, self.claim, self.focus_reply, self.send_reply, self.add_note,
                 self.transfer, self.resolve, self.link_customer, self.unlink_customer,
                 self.next_contact, self.previous_contact,
                 self.focus_inbox, self.focus_kb, self.refresh, self.reset_layout,
                 self.shortcuts, self.sign_out, self.quit]
        return fixed + list(self.states.values())

    def shortcut_table(self) -> list[tuple[str, str]]:
        """(action, shortcuts) for the help dialog."""
        rows = []
        for action in self.all():
            keys = ", ".join(k.toString(Native) for k in action.shortcuts())
            if keys:
                rows.append((action.text().replace("&", "").rstrip("…"), keys))
        return rows
