#include "gnn/collaborative_model.h"

#include "gnn/graph_recommender.h"
#include "gnn/mf.h"
#include "gnn/sasrec.h"
#include "util/error.h"

namespace glr::gnn {

CollaborativeModelPtr makeCollaborativeModel(const CollaborativeModelOptions& options, const GraphAdjacency& graph) {
    const std::string& method = options.method;
    if (method == "mf")
        return std::make_shared<MatrixFactorizationImpl>(options.numUsers, options.numItems, options.dim,
                                                         options.initStd);
    if (method == "lightgcn" || method == "ngcf") {
        GraphEncoderOptions encoder;
        encoder.type = method;
        encoder.inputDim = options.dim;
        encoder.dim = options.dim;
        encoder.layers = options.layers;
        return std::make_shared<GraphRecommenderImpl>(options.numUsers, options.numItems, options.dim,
                                                      makeGraphEncoder(encoder), graph, options.initStd);
    }
    if (method == "sasrec")
        return std::make_shared<SasRecImpl>(options.numItems, options.dim, options.maxLength, options.blocks,
                                            options.heads, options.dropout);
    failInput("collaborative model: method must be \"mf\", \"lightgcn\", \"ngcf\" or \"sasrec\"; got \"{}\"", method);
}

}  // namespace glr::gnn
