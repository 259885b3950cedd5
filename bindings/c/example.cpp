/* Rewrite a prompt from a persona file with libzipp's C++ wrappers (zipp.hpp).
 *
 *   c++ -std=c++17 bindings/c/example.cpp $(pkg-config --cflags --libs zipp) -o zipp-example-cpp
 *   ./zipp-example-cpp examples/personas/kenji-osaka.json "a cat"
 */
#include <iostream>

#include "zipp.hpp"

int main(int argc, char **argv) {
    if (argc < 3) {
        std::cerr << "usage: " << argv[0] << " PERSONA_FILE PROMPT\n";
        return 2;
    }
    try {
        zipp::check_abi();
        const auto persona = zipp::Persona::from_file(argv[1]);
        const zipp::Rewriter rewriter(R"({"backend": "rules"})");
        const auto result = rewriter.rewrite_with_record(persona, argv[2], R"({"seed": 1})");
        std::cout << result.text << "\n";
        // A failure throws zipp::Error with the status and the library's message.
        try {
            rewriter.rewrite(persona, argv[2], R"({"k": 99})");
        } catch (const zipp::Error &error) {
            std::cerr << "expected: " << error.status_name() << ": " << error.what() << "\n";
        }
    } catch (const zipp::Error &error) {
        std::cerr << "zipp: " << error.status_name() << ": " << error.what() << "\n";
        return 1;
    }
    return 0;
}
