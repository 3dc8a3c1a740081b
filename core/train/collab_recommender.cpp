#include "train/collab_recommender.h"

#include <torch/torch.h>

#include "config/experiment_config.h"
#include "data/split_dataset.h"
#include "gnn/collaborative_model.h"
#include "gnn/device_upload.h"
#include "gnn/sasrec.h"
#include "model/loader.h"
#include "train/collab_embeddings.h"
#include "train/sequence_batch.h"
#include "util/error.h"

namespace glr {

namespace {

using config::Method;

class CollabRecommender final : public Recommender {
public:
    CollabRecommender(const config::ExperimentConfig& cfg, std::shared_ptr<const data::SplitDataset> dataset)
        : cfg_(cfg), data_(std::move(dataset)), nodes_(data_->nodeIndex()), device_(parseDevice(cfg.model.device)) {
        torch::manual_seed(cfg_.seed);
        if (cfg_.method.name == Method::SASRec) {
            sasrec_ = makeSasRec(cfg_, nodes_);
            sasrec_->to(device_);
            return;
        }
        CollabEmbeddingOptions co;
        co.dim = cfg_.method.mf.dim;
        co.trainable = true;
        co.init = cfg_.method.mf.init;
        co.device = device_;
        tables_ = std::make_unique<CollabEmbeddings>(*data_, co);
        if (cfg_.method.name != Method::MF) {
            GraphPathOptions gp;
            gp.type = cfg_.method.name == Method::LightGCN ? config::GnnType::LightGCN : config::GnnType::NGCF;
            gp.layers = cfg_.method.gnn.layers;
            gp.dim = cfg_.method.gnn.dim;
            gp.inputDim = cfg_.method.mf.dim;
            gp.oneHop = false;
            gp.device = device_;
            graph_ = std::make_unique<GraphPath>(*data_, gp);
        }
    }

    std::int64_t splitSize(const std::string& split) const override {
        return static_cast<std::int64_t>(data_->split(split).size());
    }
    RowMeta rowMeta(const std::string& split, std::int64_t row) const override {
        const auto& r = data_->split(split).rows.at(static_cast<std::size_t>(row));
        return {r.uid, r.iid, r.label, r.notCold};
    }

    at::Tensor forward(const std::string& split, const std::vector<std::int64_t>& rows, bool training) override {
        const auto& s = data_->split(split);
        if (sasrec_) {
            sasrec_->train(training);
            gnn::RecBatch batch;
            batch.histories = gnn::uploadAsync(historyTensor(s, rows, cfg_.method.sasrec.maxLen), device_);
            std::vector<std::int64_t> items(rows.size());
            for (std::size_t i = 0; i < rows.size(); ++i) items[i] = s.rows[rows[i]].iid;
            batch.iids = uploadIndices(items, {static_cast<std::int64_t>(items.size())}, device_);
            batch.uids = at::zeros({static_cast<std::int64_t>(rows.size())}, at::TensorOptions(at::kLong).device(device_));
            return sasrec_->forward(batch);
        }
        std::vector<std::int64_t> users(rows.size()), items(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            users[i] = s.rows[rows[i]].uid;
            items[i] = nodes_.numUsers + s.rows[rows[i]].iid;
        }
        at::Tensor h = tables_->nodeFeatures(training);
        if (graph_) {
            at::Tensor all = at::arange(h.size(0), at::TensorOptions(at::kLong).device(device_));
            h = graph_->encode(h, all, training).embeddings;
        }
        const std::int64_t batch = static_cast<std::int64_t>(rows.size());
        at::Tensor u = h.index_select(0, uploadIndices(users, {batch}, device_));
        at::Tensor v = h.index_select(0, uploadIndices(items, {batch}, device_));
        return (u * v).sum(1);  // [B]
    }

    std::vector<ParamGroup> parameterGroups() override {
        std::vector<ParamGroup> groups;
        if (sasrec_) {
            ParamGroup g{"sasrec", {}, {}, true, cfg_.train.lr, cfg_.train.weightDecay};
            for (const auto& item : sasrec_->named_parameters(true)) {
                g.names.push_back(item.key());
                g.params.push_back(item.value());
            }
            groups.push_back(std::move(g));
            return groups;
        }
        ParamGroup mf{"mf", {}, {}, true, cfg_.train.lr, cfg_.train.weightDecay};
        tables_->addParameters(mf);
        groups.push_back(std::move(mf));
        if (graph_) {
            ParamGroup g{"gnn", {}, {}, false, cfg_.train.gnnLr, cfg_.train.gnnWeightDecay};
            graph_->addParameters(g);
            if (!g.params.empty()) groups.push_back(std::move(g));
        }
        return groups;
    }

    std::int64_t totalParameterCount() const override {
        return const_cast<CollabRecommender*>(this)->trainableParameterCount();
    }

    std::string describe() const override {
        if (sasrec_) return fmt::format("sasrec (dim {}, {} blocks, max length {})", cfg_.method.sasrec.dim,
                                        cfg_.method.sasrec.layers, cfg_.method.sasrec.maxLen);
        return fmt::format("{} (dim {}{})", config::toString(cfg_.method.name), cfg_.method.mf.dim,
                           graph_ ? ", " + graph_->describe() : std::string());
    }

private:
    config::ExperimentConfig cfg_;
    std::shared_ptr<const data::SplitDataset> data_;
    data::NodeIndex nodes_;
    at::Device device_;  // model.device: the baselines train there too
    std::unique_ptr<CollabEmbeddings> tables_;
    std::unique_ptr<GraphPath> graph_;
    gnn::SasRec sasrec_{nullptr};
};

}  // namespace

std::unique_ptr<Recommender> makeCollabRecommender(const config::ExperimentConfig& config,
                                                   std::shared_ptr<const data::SplitDataset> dataset) {
    return std::make_unique<CollabRecommender>(config, std::move(dataset));
}

}  // namespace glr
