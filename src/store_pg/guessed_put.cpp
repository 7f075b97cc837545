#include "guessed_put.hpp"

#include <algorithm>
#include <tuple>

#include "bytea_text.hpp"
#include "queries.hpp"
#include "rows.hpp"

namespace cosmo::store_pg::detail {

namespace {

/// Reads the OUT columns put_id .. put_modified_us starting at `first`.
void fill(GuessedPut& job, const pqxx::row& r, int first) {
    job.id = int64_of(r[first]);
    job.collection_id = int64_of(r[first + 1]);
    job.created = r[first + 2].as<bool>();
    job.created_us = micros_of(r[first + 3]);
    job.modified_us = micros_of(r[first + 4]);
}

/// A PostgreSQL array literal of the members' values of one argument: the
/// arrays travel as text parameters (text_array quotes and escapes).
template <typename Value>
std::string array_of(const std::vector<GuessedPut*>& jobs, Value value) {
    std::vector<std::string> items;
    items.reserve(jobs.size());
    for (const GuessedPut* job : jobs) items.push_back(value(*job));
    return text_array(items);
}

std::string text_of_bool(bool b) { return b ? "t" : "f"; }

}  // namespace

void write_guessed_put(pqxx::transaction_base& txn, GuessedPut& job) {
    std::vector<std::string> ns, names, values;
    for (const store::DeadProperty& p : job.parent_props) {
        ns.push_back(p.ns);
        names.push_back(p.name);
        values.push_back(p.value_xml);
    }
    const pqxx::result r = txn.exec_prepared(
        q::kPutObjectGuessed, job.owner, job.epoch, job.parent, job.name, job.content_type,
        pqxx::binarystring(job.body->data(), job.body->size()), job.etag, job.size, job.indexed,
        job.index.uid, job.index.component, job.index.first_start, job.index.last_end,
        job.index.recurring, job.conditional, job.expect_exists, job.expect_etag, job.parent_id,
        job.parent_kind, text_array(ns), text_array(names), text_array(values));
    fill(job, r[0], 0);
}

void write_guessed_puts(pqxx::transaction_base& txn, const std::vector<GuessedPut*>& jobs) {
    std::vector<GuessedPut*> ordered = jobs;
    std::sort(ordered.begin(), ordered.end(), [](const GuessedPut* a, const GuessedPut* b) {
        return std::tie(a->owner, a->parent_id, a->name) <
               std::tie(b->owner, b->parent_id, b->name);
    });
    const auto number = [](std::int64_t n) { return std::to_string(n); };
    // The dead properties of all members flattened, each with its member's
    // number (1-based, as WITH ORDINALITY counts).
    std::vector<std::string> prop_member, prop_ns, prop_names, prop_values;
    for (std::size_t m = 0; m < ordered.size(); ++m) {
        for (const store::DeadProperty& p : ordered[m]->parent_props) {
            prop_member.push_back(number(static_cast<std::int64_t>(m + 1)));
            prop_ns.push_back(p.ns);
            prop_names.push_back(p.name);
            prop_values.push_back(p.value_xml);
        }
    }
    const pqxx::result r = txn.exec_prepared(
        q::kPutObjectsGuessed,
        array_of(ordered, [&](const GuessedPut& j) { return number(j.owner); }),
        array_of(ordered, [&](const GuessedPut& j) { return number(j.epoch); }),
        array_of(ordered, [](const GuessedPut& j) { return j.parent; }),
        array_of(ordered, [](const GuessedPut& j) { return j.name; }),
        array_of(ordered, [](const GuessedPut& j) { return j.content_type; }),
        array_of(ordered, [](const GuessedPut& j) { return encode_bytea_hex(*j.body); }),
        array_of(ordered, [](const GuessedPut& j) { return j.etag; }),
        array_of(ordered, [&](const GuessedPut& j) { return number(j.size); }),
        array_of(ordered, [](const GuessedPut& j) { return text_of_bool(j.indexed); }),
        array_of(ordered, [](const GuessedPut& j) { return j.index.uid; }),
        array_of(ordered, [](const GuessedPut& j) { return j.index.component; }),
        array_of(ordered, [&](const GuessedPut& j) { return number(j.index.first_start); }),
        array_of(ordered, [&](const GuessedPut& j) { return number(j.index.last_end); }),
        array_of(ordered, [](const GuessedPut& j) { return text_of_bool(j.index.recurring); }),
        array_of(ordered, [](const GuessedPut& j) { return text_of_bool(j.conditional); }),
        array_of(ordered, [](const GuessedPut& j) { return text_of_bool(j.expect_exists); }),
        array_of(ordered, [](const GuessedPut& j) { return j.expect_etag; }),
        array_of(ordered, [&](const GuessedPut& j) { return number(j.parent_id); }),
        array_of(ordered, [&](const GuessedPut& j) { return number(j.parent_kind); }),
        text_array(prop_member), text_array(prop_ns), text_array(prop_names),
        text_array(prop_values));
    if (r.size() != ordered.size()) {
        // Never (a row per member or an error), but committed: unknown.
        throw pqxx::unexpected_rows("a group of PUTs returned " + std::to_string(r.size()) +
                                    " rows for " + std::to_string(ordered.size()));
    }
    for (const pqxx::row& row : r) {
        fill(*ordered.at(row[0].as<std::size_t>() - 1), row, 1);
    }
}

}  // namespace cosmo::store_pg::detail
