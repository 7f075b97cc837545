#include "cosmo/app/users.hpp"

#include <stdexcept>

#include "cosmo/auth/password.hpp"

namespace cosmo::app {

bool valid_user_name(const std::string& name) {
    if (name.empty() || name.size() > 255 || name == "." || name == "..") {
        return false;
    }
    std::size_t i = 0;
    while (i < name.size()) {
        auto c = static_cast<unsigned char>(name[i]);
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') {
            return false;
        }
        // UTF-8: count continuation bytes and check them.
        int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;
        if (extra < 0 || i + static_cast<std::size_t>(extra) >= name.size() + (extra == 0)) {
            return false;
        }
        for (int k = 1; k <= extra; ++k) {
            if ((static_cast<unsigned char>(name[i + k]) & 0xc0) != 0x80) {
                return false;
            }
        }
        i += static_cast<std::size_t>(extra) + 1;
    }
    return true;
}

store::User create_user(store::Directory& directory, store::ShardStore& shards,
                        const std::string& name, const std::string& email,
                        const std::string& password) {
    if (!valid_user_name(name)) {
        throw std::runtime_error("invalid user name: " + name);
    }
    if (password.empty()) {
        throw std::runtime_error("empty password");
    }
    store::User user = directory.add_user(name, email, auth::hash_password(password));
    auto session = shards.open(user);
    session->ensure_home();
    session->commit();
    return user;
}

}  // namespace cosmo::app
