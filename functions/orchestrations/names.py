"""Orchestration and activity names. Activities are called by these strings (never by function object: the SDK
would use the Python __name__, notes/functions-runtime.md §2), so each equals its Python def name."""

CASCADE_DELETE = "cascade_delete"
CASCADE_STEP = "cascade_step"
CASCADE_FINISH = "cascade_finish"
CASCADE_FAIL = "cascade_fail"
