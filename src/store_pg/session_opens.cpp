#include "session_opens.hpp"

#include "paths.hpp"
#include "queries.hpp"
#include "rows.hpp"

namespace cosmo::store_pg::detail {

void read_session_open(pqxx::transaction_base& txn, SessionOpen& job) {
    using Kind = SessionOpen::Kind;
    const pqxx::result r =
        job.kind == Kind::kHome ? txn.exec_prepared(q::kSessionOpen, job.owner, job.list_home)
        : job.kind == Kind::kCollection
            ? txn.exec_prepared(q::kSessionOpenCollection, job.owner, job.path)
            : txn.exec_prepared(q::kSessionOpenObject, job.owner, parent_of(job.path),
                                leaf_of(job.path));
    job.head = r[0].slice(0, kSessionColumns);
    job.rest = r[0].slice(kSessionColumns, r[0].size());
}

void read_session_opens(pqxx::transaction_base& txn, const std::vector<SessionOpen*>& jobs) {
    if (jobs.size() == 1) {
        // A group of one (a free slot): the plain statement, which costs
        // PostgreSQL less than the arrays' unnest.
        read_session_open(txn, *jobs.front());
        return;
    }
    std::vector<std::string> owners, paths, names, lists;
    for (const SessionOpen* job : jobs) {
        owners.push_back(std::to_string(job->owner));
        lists.push_back(job->list_home ? "t" : "f");
        if (job->kind == SessionOpen::Kind::kObject) {
            paths.push_back(parent_of(job->path));
            names.push_back(leaf_of(job->path));
        } else {
            paths.push_back(job->path);
        }
    }
    pqxx::result r;
    switch (jobs.front()->kind) {
        case SessionOpen::Kind::kHome:
            r = txn.exec_prepared(q::kSessionOpensHome, text_array(owners), text_array(lists));
            break;
        case SessionOpen::Kind::kCollection:
            r = txn.exec_prepared(q::kSessionOpensCollection, text_array(owners),
                                  text_array(paths));
            break;
        case SessionOpen::Kind::kObject:
            r = txn.exec_prepared(q::kSessionOpensObject, text_array(owners), text_array(paths),
                                  text_array(names));
            break;
    }
    if (r.size() != jobs.size()) {
        // Never: unnest makes a row per member, and every join is LEFT.
        throw pqxx::unexpected_rows("a group of reads returned " + std::to_string(r.size()) +
                                    " rows for " + std::to_string(jobs.size()));
    }
    for (const pqxx::row& row : r) {
        // Column 0 is the member's number (1-based, as WITH ORDINALITY
        // counts); the rest are the lone statement's columns.
        SessionOpen& job = *jobs.at(row[0].as<std::size_t>() - 1);
        job.head = row.slice(1, 1 + kSessionColumns);
        job.rest = row.slice(1 + kSessionColumns, row.size());
    }
}

}  // namespace cosmo::store_pg::detail
