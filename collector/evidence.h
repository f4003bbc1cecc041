/* evidence: the documents a unit sends to back its self-assessment (tài liệu kiểm
 * chứng). A document comes in pieces of at most EVIDENCE_PIECE bytes; the pieces are
 * appended to DATA_DIR/evidence/tmp/SHA256.part, and the last one, once the whole file
 * hashes to what the sender said, moves it to DATA_DIR/evidence/objects/AB/SHA256
 * (content-addressed: a document sent twice is kept once), fsynced with its folders
 * before its record is written and acknowledged. The record (unit, criterion, name,
 * type, size, sender, received, phase) is under unit|year|INDEX:id|sha256. */
#ifndef PAR_EVIDENCE_H
#define PAR_EVIDENCE_H

#include "record.h"
#include "../common/config.h"

#define EVIDENCE_PIECE (4u << 20)
#define EVIDENCE_NAME 255

/* One piece (msg: a decoded evidence message). 0 with *data ({next} until the last
 * piece, then the record) and *events; 1 refused with why for the person; -1 when
 * storing failed. */
int evidence_piece(const par_config *conf, record *r, const pv *msg, const char *sender, const char *received,
                   pv **data, record_events *events, par_err *why);

/* The records of a unit's documents for index and year (args: unit, index, year,
 * criterion optional), for a sender allowed to read them. */
int evidence_list(record_txn *t, const pv *args, pv **data, par_err *e);
/* A piece of a stored document (args: sha256, offset): {size, offset, parts}. */
int evidence_read(const par_config *conf, const pv *args, pv **data, par_err *e);
/* Copies the stored documents into DIR/evidence (DIR absolute): those already there are
 * kept (the same name is the same content). */
int evidence_backup(const par_config *conf, const char *dir, int64_t *copied, par_err *e);

#endif
