#include "object_opens.hpp"

#include "queries.hpp"
#include "rows.hpp"

namespace cosmo::store_pg::detail {

void read_object_open(pqxx::transaction_base& txn, ObjectOpen& job) {
    const pqxx::result r = txn.exec_prepared(q::kSessionOpenObject, job.owner, job.parent, job.name);
    job.row = r[0];
}

void read_object_opens(pqxx::transaction_base& txn, const std::vector<ObjectOpen*>& jobs) {
    if (jobs.size() == 1) {
        // A group of one (a free slot): the plain statement, which costs
        // PostgreSQL less than the arrays' unnest.
        read_object_open(txn, *jobs.front());
        return;
    }
    std::vector<std::string> owners, parents, names;
    for (const ObjectOpen* job : jobs) {
        owners.push_back(std::to_string(job->owner));
        parents.push_back(job->parent);
        names.push_back(job->name);
    }
    const pqxx::result r = txn.exec_prepared(q::kSessionOpenObjects, text_array(owners),
                                             text_array(parents), text_array(names));
    if (r.size() != jobs.size()) {
        // Never: unnest makes a row per member, and every join is LEFT.
        throw pqxx::unexpected_rows("a group of reads returned " + std::to_string(r.size()) +
                                    " rows for " + std::to_string(jobs.size()));
    }
    for (const pqxx::row& row : r) {
        // Column 0 is the member's number (1-based, as WITH ORDINALITY
        // counts); the rest are q::kSessionOpenObject's columns.
        jobs.at(row[0].as<std::size_t>() - 1)->row = row.slice(1, row.size());
    }
}

}  // namespace cosmo::store_pg::detail
