#include "errors.hpp"

#include <pqxx/pqxx>
#include <string>

namespace cosmo::store_pg::detail {

namespace {

using store::Errc;
using store::Error;

/// SQLSTATE classes and codes (PostgreSQL manual, Appendix A).
Errc code_for_sqlstate(const std::string& state) {
    if (state == "23505") {
        return Errc::kAlreadyExists;  // unique_violation
    }
    if (state == "40001" || state == "40P01") {
        return Errc::kRetryable;  // serialization_failure, deadlock_detected
    }
    if (state == "57014" || state == "55P03") {
        return Errc::kRetryable;  // statement_timeout, lock_not_available
    }
    if (state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" ||
        state == "57P03" || state == "53300") {
        return Errc::kShardUnavailable;  // connection errors, shutdown, too many
    }
    if (state == "25006") {
        return Errc::kReadOnly;  // read_only_sql_transaction (a standby)
    }
    return Errc::kInternal;
}

}  // namespace

void rethrow_translated() {
    try {
        throw;
    } catch (const store::Error&) {
        throw;
    } catch (const pqxx::broken_connection& e) {
        throw Error(Errc::kShardUnavailable, std::string("database unreachable: ") + e.what());
    } catch (const pqxx::sql_error& e) {
        // libpqxx 6.4 does not expose the constraint name; the message does.
        if (e.sqlstate() == "23505" &&
            std::string(e.what()).find("object_collection_uid") != std::string::npos) {
            throw Error(Errc::kUidConflict, std::string("duplicate UID: ") + e.what());
        }
        throw Error(code_for_sqlstate(e.sqlstate()),
                    "SQLSTATE " + e.sqlstate() + ": " + e.what());
    } catch (const pqxx::in_doubt_error& e) {
        // The connection broke during COMMIT (the shard stopped): the write
        // may or may not have landed. Not acknowledged either way; 503 tells
        // the client to retry, which for PUT/DELETE/PROPPATCH is safe.
        throw Error(Errc::kShardUnavailable, std::string("commit in doubt: ") + e.what());
    } catch (const std::exception& e) {
        throw Error(Errc::kInternal, e.what());
    } catch (...) {
        throw Error(Errc::kInternal, "unknown exception in store_pg");
    }
}

}  // namespace cosmo::store_pg::detail
