package handlers

import "quire/models"

// adminAudit is /admin/audit: the log, read-only, filterable by admin,
// model, action, date and object (each object's History links here).
func (a *App) adminAudit() *adminTable {
	return &adminTable{Table: models.AuditTable}
}
