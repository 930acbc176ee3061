package interp

import "ipcsh/lang"

func (c *compiler) retryStmt(r *lang.Retry) stmtFn { return notYet(r.Pos, "retry") }
