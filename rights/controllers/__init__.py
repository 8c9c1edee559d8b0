"""Controllers decide (docs/controllers.md): who may instruct for a controller, the
approvals that bind the processor's actions, forwarding, and what goes back to them.

Modules: ``authority`` (designated contacts; who decides a request), ``approvals``
(decisions on actions, packages and requests; the check the action gate calls),
``routing`` (forwarding, targets, reminders, discovery scope), ``certificates`` (what was
done, as data).
"""
